<?php
/**
 * The webhook receiver: signatures, replays, duplicates, and the refresh it triggers.
 *
 * @package Seal_Badge
 */

/**
 * Only a correctly signed, fresh, first-seen seal.* event refreshes the status.
 */
class WebhookTest extends Seal_Badge_TestCase {

	const SECRET = 'whsec_0123456789abcdefghijklmnopqrstuv';

	/**
	 * POST an event to the route as the authority would.
	 *
	 * @param array       $event     Event fields to override.
	 * @param array       $headers   Headers to override.
	 * @param string|null $secret    Secret to sign with.
	 * @param int|null    $timestamp Signature time.
	 * @return WP_REST_Response
	 */
	private function deliver( array $event = array(), array $headers = array(), $secret = self::SECRET, $timestamp = null ) {
		$seal      = $this->seal( 'suspended' );
		$event     = array_merge(
			array(
				'id'         => 'evt_' . wp_generate_password( 12, false ),
				'type'       => 'seal.suspended',
				'created_at' => gmdate( 'c' ),
				'data'       => array(
					'id'     => $seal['id'],
					'status' => 'active',
				),
			),
			$event
		);
		$body      = wp_json_encode( $event );
		$timestamp = null === $timestamp ? time() : $timestamp;
		$request   = new WP_REST_Request( 'POST', '/seal-badge/v1/webhook' );
		$request->set_body( $body );
		$request->set_header( 'Content-Type', 'application/json' );
		$request->set_header( 'Seal-Event-Id', $event['id'] );
		$request->set_header( 'Seal-Signature', 't=' . $timestamp . ',v1=' . hash_hmac( 'sha256', $timestamp . '.' . $body, $secret ) );
		foreach ( $headers as $name => $value ) {
			$request->set_header( $name, $value );
		}
		return rest_do_request( $request );
	}

	public function test_signed_seal_event_refreshes_the_status_at_once() {
		$this->configure( 'suspended', array( 'webhook_secret' => self::SECRET ) );
		$response = $this->deliver();
		$this->assertSame( 200, $response->get_status() );
		$this->assertSame( 'suspended', $response->get_data()['status'], 'the signed status decides, not the event body' );
		$this->assertSame( 'suspended', get_option( Seal_Badge_Options::STATUS )['status'] );
	}

	public function test_wrong_secret_stale_time_and_garbage_are_refused_without_a_sync() {
		$this->configure( 'suspended', array( 'webhook_secret' => self::SECRET ) );
		$this->assertSame( 401, $this->deliver( array(), array(), 'whsec_wrong_wrong_wrong_wrong_wrong' )->get_status() );
		$this->assertSame( 400, $this->deliver( array(), array(), self::SECRET, time() - 301 )->get_status(), 'older than 5 minutes' );
		$this->assertSame( 400, $this->deliver( array(), array(), self::SECRET, time() + 301 )->get_status() );
		$this->assertSame( 400, $this->deliver( array(), array( 'Seal-Signature' => 'v1=abc' ) )->get_status() );
		$this->assertSame( 400, $this->deliver( array(), array( 'Seal-Signature' => '' ) )->get_status() );
		$this->assertFalse( get_option( Seal_Badge_Options::STATUS ) );
		$this->assertFalse( get_option( Seal_Badge_Options::EVENTS ), 'unsigned requests cannot fill the list of seen events' );
	}

	public function test_any_of_several_v1_signatures_is_accepted_during_secret_rotation() {
		$this->configure( 'suspended', array( 'webhook_secret' => self::SECRET ) );
		$seal    = $this->seal( 'suspended' );
		$body    = wp_json_encode(
			array(
				'id'   => 'evt_rotation',
				'type' => 'seal.reinstated',
				'data' => array( 'id' => $seal['id'] ),
			)
		);
		$now     = time();
		$request = new WP_REST_Request( 'POST', '/seal-badge/v1/webhook' );
		$request->set_body( $body );
		$request->set_header( 'Seal-Event-Id', 'evt_rotation' );
		$request->set_header( 'Seal-Signature', "t=$now,v1=" . hash_hmac( 'sha256', "$now.$body", 'whsec_the_new_secret_not_pasted_yet' ) . ',v1=' . hash_hmac( 'sha256', "$now.$body", self::SECRET ) );
		$this->assertSame( 200, rest_do_request( $request )->get_status() );
		$this->assertSame( 'suspended', get_option( Seal_Badge_Options::STATUS )['status'] );
	}

	public function test_a_replayed_event_id_is_handled_once() {
		$this->configure( 'suspended', array( 'webhook_secret' => self::SECRET ) );
		$first = $this->deliver( array( 'id' => 'evt_once' ) );
		$this->assertSame( 'suspended', $first->get_data()['status'] );
		delete_option( Seal_Badge_Options::STATUS );
		$again = $this->deliver( array( 'id' => 'evt_once' ) );
		$this->assertSame( 200, $again->get_status() );
		$this->assertSame( array( 'duplicate' => true ), $again->get_data() );
		$this->assertFalse( get_option( Seal_Badge_Options::STATUS ), 'no second sync' );
	}

	public function test_events_of_other_kinds_or_seals_are_acknowledged_without_a_sync() {
		$this->configure( 'suspended', array( 'webhook_secret' => self::SECRET ) );
		$this->assertSame( array( 'received' => true ), $this->deliver( array( 'type' => 'invoice.paid' ) )->get_data() );
		$this->assertSame( array( 'received' => true ), $this->deliver( array( 'data' => array( 'id' => 'zzzzzzzzzzzz' ) ) )->get_data() );
		$this->assertFalse( get_option( Seal_Badge_Options::STATUS ) );
	}

	public function test_a_domain_change_event_brings_the_new_code_and_the_badge_keeps_working() {
		$seal = $this->seal( 'active' );
		$this->configure(
			'active',
			array(
				'webhook_secret' => self::SECRET,
				'code'           => 'code-of-the-old-domain-no-longer-valid',
			)
		);
		$response = $this->deliver(
			array(
				'type' => 'seal.domain_changed',
				'data' => array(
					'id'      => $seal['id'],
					'details' => array( 'code' => $seal['code'] ),
				),
			)
		);
		$this->assertSame( 200, $response->get_status() );
		$this->assertSame( 'active', $response->get_data()['status'] );
		$this->assertSame( $seal['code'], Seal_Badge_Options::settings()['code'], 'the new code is kept' );
	}

	public function test_a_new_code_the_authority_does_not_confirm_is_dropped() {
		$seal = $this->seal( 'active' );
		$this->configure( 'active', array( 'webhook_secret' => self::SECRET ) );
		foreach ( array( 'not-the-code-of-this-seal-at-all', '<script>', 42 ) as $i => $code ) {
			$response = $this->deliver(
				array(
					'id'   => 'evt_bad_code_' . $i,
					'type' => 'seal.domain_changed',
					'data' => array(
						'id'      => $seal['id'],
						'details' => array( 'code' => $code ),
					),
				)
			);
			$this->assertSame( 200, $response->get_status() );
			$this->assertSame( $seal['code'], Seal_Badge_Options::settings()['code'] );
			$this->assertSame( 'active', get_option( Seal_Badge_Options::STATUS )['status'] );
		}
	}

	public function test_without_a_secret_the_endpoint_refuses_everything() {
		$this->configure( 'suspended' );
		$this->assertSame( 403, $this->deliver()->get_status() );
		$this->assertFalse( get_option( Seal_Badge_Options::STATUS ) );
	}

	public function test_seen_event_ids_are_forgotten_after_the_replay_window() {
		$this->assertTrue( Seal_Badge_Webhook::first_time( 'evt_a', 1000000 ) );
		$this->assertFalse( Seal_Badge_Webhook::first_time( 'evt_a', 1000000 + Seal_Badge_Webhook::REMEMBER ) );
		$this->assertTrue( Seal_Badge_Webhook::first_time( 'evt_b', 1000000 + Seal_Badge_Webhook::REMEMBER + 1 ) );
		$this->assertSame( array( 'evt_b' ), array_keys( get_option( Seal_Badge_Options::EVENTS ) ) );
	}

	public function test_settings_page_shows_the_endpoint_and_keeps_the_secret_out_of_the_page() {
		$this->login_as( 'administrator' );
		$this->configure( 'active', array( 'webhook_secret' => self::SECRET ) );
		ob_start();
		Seal_Badge_Settings::render();
		$page = ob_get_clean();
		$this->assertStringContainsString( esc_attr( Seal_Badge_Webhook::url() ), $page );
		$this->assertStringContainsString( 'seal-badge/v1/webhook', Seal_Badge_Webhook::url() );
		$this->assertStringNotContainsString( self::SECRET, $page );
		$this->assertStringContainsString( 'seal-badge-secret-saved', $page );
	}

	public function test_secret_input_rules() {
		$this->configure( 'active', array( 'webhook_secret' => self::SECRET ) );
		$seal  = $this->seal( 'active' );
		$input = array(
			'snippet'        => $seal['snippet'],
			'size'           => 'medium',
			'lang'           => 'fa',
			'webhook_secret' => '',
		);
		$this->assertSame( self::SECRET, Seal_Badge_Options::sanitize( $input )['settings']['webhook_secret'], 'empty keeps the saved one' );
		$this->assertSame( 'whsec_another_secret_value_12345', Seal_Badge_Options::sanitize( array_merge( $input, array( 'webhook_secret' => ' whsec_another_secret_value_12345 ' ) ) )['settings']['webhook_secret'] );
		$this->assertSame( '', Seal_Badge_Options::sanitize( array_merge( $input, array( 'forget_webhook_secret' => '1' ) ) )['settings']['webhook_secret'] );
		$short = Seal_Badge_Options::sanitize( array_merge( $input, array( 'webhook_secret' => 'short' ) ) );
		$this->assertCount( 1, $short['errors'] );
		$this->assertStringContainsString( 'webhook secret', $short['errors'][0] );
	}
}
