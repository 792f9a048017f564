<?php
/**
 * Reminder emails at 30, 7 and 1 days, each once.
 *
 * @package Seal_Badge
 */

/**
 * Reminders, with wp_mail captured through pre_wp_mail.
 */
class RemindersTest extends Seal_Badge_TestCase {

	public function test_each_reminder_is_sent_once_as_expiry_approaches() {
		$status  = $this->status( 'active', 40 );
		$expires = strtotime( $status['expires_at'] );
		$sent    = array();
		// Walk the clock from 40 days before expiry to the day after, twice a day like the cron.
		for ( $now = $expires - 40 * DAY_IN_SECONDS; $now <= $expires + DAY_IN_SECONDS; $now += 12 * HOUR_IN_SECONDS ) {
			$due = Seal_Badge_Reminders::send_due( $status, $now );
			if ( null !== $due ) {
				$sent[] = array( $due, Seal_Badge_Sync::days_left( $status, $now ) );
			}
		}
		$this->assertSame( array( array( 30, 30 ), array( 7, 7 ), array( 1, 1 ) ), $sent );
		$this->assertCount( 3, $this->mails );
		$this->assertSame( get_option( 'admin_email' ), $this->mails[0]['to'] );
		$this->assertStringContainsString( 'expires in 30 days', $this->mails[0]['message'] );
		$this->assertStringContainsString( 'expires in 1 day,', $this->mails[2]['message'] );
		$this->assertStringContainsString( $status['verify_url'], $this->mails[2]['message'] );
		$this->assertStringNotContainsString( '/renew', $this->mails[2]['message'], 'no renewal link without a configured seal' );
	}

	public function test_the_reminder_links_to_the_seals_renewal_page() {
		$this->configure( 'days7' );
		$this->assertIsArray( Seal_Badge_Sync::run() );
		$this->assertCount( 1, $this->mails );
		$this->assertStringContainsString( 'Renew now: ' . getenv( 'SEAL_TEST_SERVER' ) . '/panel/seals/' . $this->seal( 'days7' )['id'] . '/renew', $this->mails[0]['message'] );
	}

	public function test_a_late_first_check_sends_one_mail_not_every_missed_one() {
		$status = $this->status( 'active', 5 );
		$this->assertSame( 7, Seal_Badge_Reminders::send_due( $status, time() ) );
		$this->assertNull( Seal_Badge_Reminders::send_due( $status, time() + HOUR_IN_SECONDS ) );
		$this->assertCount( 1, $this->mails );
	}

	public function test_renewal_starts_the_reminders_again() {
		$old = $this->status( 'active', 20 );
		$this->assertSame( 30, Seal_Badge_Reminders::send_due( $old, time() ) );
		$renewed = $this->status( 'active', 25 );
		$renewed['expires_at'] = gmdate( 'c', time() + 25 * DAY_IN_SECONDS + 60 );
		$this->assertSame( 30, Seal_Badge_Reminders::send_due( $renewed, time() ) );
	}

	public function test_no_reminder_for_seals_that_are_not_active() {
		foreach ( array( 'suspended', 'revoked', 'expired', 'invalid' ) as $state ) {
			$this->assertNull( Seal_Badge_Reminders::send_due( $this->status( $state, 5 ), time() ), $state );
		}
		$this->assertNull( Seal_Badge_Reminders::send_due( $this->status( 'active', -1 ), time() ) );
		$this->assertSame( array(), $this->mails );
	}

	/**
	 * Seals of the real server near expiry, and the reminder each should trigger.
	 *
	 * @return array[]
	 */
	public function seals_near_expiry() {
		return array(
			'30 days' => array( 'days30', 30 ),
			'7 days'  => array( 'days7', 7 ),
			'1 day'   => array( 'days1', 1 ),
		);
	}

	/**
	 * The cron sync against the real server sends the reminder once.
	 *
	 * @dataProvider seals_near_expiry
	 * @param string $key  Seal key.
	 * @param int    $days Reminder expected.
	 */
	public function test_cron_sync_sends_the_due_reminder_once( $key, $days ) {
		$this->configure( $key );
		do_action( Seal_Badge_Sync::CRON_ACTION );
		do_action( Seal_Badge_Sync::CRON_ACTION );
		$this->assertCount( 1, $this->mails );
		/* translators: not translated in tests. */
		$this->assertStringContainsString( sprintf( 'expires in %d day', $days ), $this->mails[0]['message'] );
		$status = get_option( Seal_Badge_Options::STATUS );
		$this->assertContains( $days, get_option( Seal_Badge_Options::REMINDERS )[ $status['expires_at'] ] );
	}

	public function test_no_reminder_for_a_seal_far_from_expiry() {
		$this->configure( 'active' );
		do_action( Seal_Badge_Sync::CRON_ACTION );
		$this->assertSame( array(), $this->mails );
	}
}
