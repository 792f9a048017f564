<?php
/**
 * Admin notices at each threshold and the dashboard widget.
 *
 * @package Seal_Badge
 */

/**
 * What administrators are told.
 */
class NoticesTest extends Seal_Badge_TestCase {

	/**
	 * Texts of the notices for a status.
	 *
	 * @param array $status Status.
	 * @return string[]
	 */
	private function texts( array $status ) {
		return array_map(
			static function ( $message ) {
				return $message['type'] . ': ' . $message['text'];
			},
			Seal_Badge_Notices::messages( $status, time() )
		);
	}

	public function test_no_notice_for_a_valid_seal_more_than_30_days_from_expiry() {
		$this->assertSame( array(), $this->texts( $this->status( 'active', 31 ) ) );
		$this->assertSame( array(), Seal_Badge_Notices::messages( null, time() ) );
	}

	public function test_warning_from_30_days_before_expiry() {
		$texts = $this->texts( $this->status( 'active', 30 ) );
		$this->assertCount( 1, $texts );
		$this->assertStringStartsWith( 'warning: Your trust seal expires in 30 days, on ', $texts[0] );
		$this->assertStringStartsWith( 'warning: Your trust seal expires in 1 day, on ', $this->texts( $this->status( 'active', 0.5 ) )[0] );
	}

	public function test_error_when_expired_even_if_the_authority_last_said_active() {
		$texts = $this->texts( $this->status( 'active', -2 ) );
		$this->assertCount( 1, $texts );
		$this->assertStringStartsWith( 'error: Your trust seal expired on ', $texts[0] );
		$this->assertStringStartsWith( 'error: Your trust seal expired on ', $this->texts( $this->status( 'expired', -2 ) )[0] );
	}

	public function test_error_when_suspended_revoked_or_not_recognised() {
		$this->assertStringStartsWith( 'error: Your trust seal is suspended.', $this->texts( $this->status( 'suspended', 200 ) )[0] );
		$this->assertStringStartsWith( 'error: Your trust seal has been revoked', $this->texts( $this->status( 'revoked', 200 ) )[0] );
		$this->assertStringStartsWith( 'error: The authority does not recognise', $this->texts( array( 'status' => 'invalid' ) )[0] );
	}

	public function test_open_complaints_and_nonconformities_are_announced_with_the_deadline() {
		$texts = $this->texts(
			$this->status(
				'active',
				300,
				array(
					'complaints_open'      => 2,
					'nonconformities_open' => 1,
				)
			)
		);
		$this->assertCount( 2, $texts );
		$this->assertStringStartsWith( 'warning: 2 buyer complaints are open. Answer them on the authority within 72 hours', $texts[0] );
		$this->assertStringStartsWith( 'warning: 1 non-conformity is open', $texts[1] );
	}

	public function test_notices_from_the_real_servers_states_are_printed_for_administrators_only() {
		$this->configure( 'days7' );
		Seal_Badge_Sync::run();
		ob_start();
		Seal_Badge_Notices::print_notices();
		$this->assertSame( '', ob_get_clean(), 'logged-out visitors see nothing' );

		$this->login_as( 'editor' );
		ob_start();
		Seal_Badge_Notices::print_notices();
		$this->assertSame( '', ob_get_clean() );

		$this->login_as( 'administrator' );
		ob_start();
		Seal_Badge_Notices::print_notices();
		$html = ob_get_clean();
		$this->assertStringContainsString( 'notice-warning', $html );
		$this->assertStringContainsString( 'expires in 7 days', $html );
		$this->assertStringContainsString( 'This seal is registered for 127.0.0.3, but this site is 127.0.0.1', $html );
		$renew = getenv( 'SEAL_TEST_SERVER' ) . '/panel/seals/' . $this->seal( 'days7' )['id'] . '/renew';
		$this->assertStringContainsString( 'href="' . $renew . '"', $html, 'the expiry notice links to the renewal page' );

		$this->configure( 'revoked' );
		Seal_Badge_Sync::run();
		ob_start();
		Seal_Badge_Notices::print_notices();
		$this->assertStringContainsString( 'has been revoked', ob_get_clean() );
	}

	public function test_seal_of_another_domain_is_an_error() {
		$status = $this->status( 'active', 300 );
		$this->assertSame( array(), Seal_Badge_Notices::messages( $status, time(), 'shop.test' ) );
		$this->assertSame( array(), Seal_Badge_Notices::messages( $status, time(), 'WWW.shop.test' ) );
		$messages = Seal_Badge_Notices::messages( $status, time(), 'other.test' );
		$this->assertSame( 'error', $messages[0]['type'] );
		$this->assertStringStartsWith( 'This seal is registered for shop.test, but this site is other.test', $messages[0]['text'] );
		$this->assertCount( 1, Seal_Badge_Notices::messages( $status, time(), 'evil-shop.test' ) );
	}

	public function test_dashboard_widget_shows_status_stars_expiry_and_record() {
		$this->login_as( 'administrator' );
		ob_start();
		Seal_Badge_Notices::dashboard_widget();
		$this->assertStringContainsString( 'No seal status yet.', ob_get_clean() );

		$this->configure( 'active' );
		Seal_Badge_Sync::run();
		ob_start();
		Seal_Badge_Notices::dashboard_widget();
		$html = ob_get_clean();
		$this->assertStringContainsString( '<dt>Status</dt><dd>Valid</dd>', $html );
		$this->assertStringContainsString( '<dt>Stars</dt><dd>3</dd>', $html );
		$this->assertStringContainsString( '<dt>Open complaints</dt><dd>0</dd>', $html );
		$this->assertMatchesRegularExpression( '~<dt>Expires</dt><dd>[^<]+ \(\d+ days left\)</dd>~', $html );
		$this->assertStringContainsString( 'href="' . getenv( 'SEAL_TEST_SERVER' ) . '/panel/seals/' . $this->seal( 'active' )['id'] . '/renew"', $html );
		$this->assertStringNotContainsString( 'seal-badge-lapsed', $html );

		$status                = get_option( Seal_Badge_Options::STATUS );
		$status['valid_until'] = time() - 60;
		update_option( Seal_Badge_Options::STATUS, $status );
		delete_transient( Seal_Badge_Sync::LIVE_TRANSIENT );
		ob_start();
		Seal_Badge_Notices::dashboard_widget();
		$this->assertStringContainsString( 'the status the authority signed lapsed on', ob_get_clean() );
	}
}
