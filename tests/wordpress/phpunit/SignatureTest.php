<?php
/**
 * The signed status: sodium verification, key refetch, and the cached copy's time limit.
 *
 * @package Seal_Badge
 */

/**
 * The plugin believes only a status the authority signed, and only until it lapses.
 */
class SignatureTest extends Seal_Badge_TestCase {

	public function test_a_well_signed_current_status_verifies() {
		$keys   = $this->keypair();
		$claims = $this->claims();
		$this->assertSame( $claims, Seal_Badge_Signature::verify( $this->sign( $claims, $keys ), $keys['jwks'], 'abcdefghijkm', time() ) );
	}

	/**
	 * Tokens that must be refused, with the error each gives.
	 *
	 * @return array[]
	 */
	public function refused_tokens() {
		return array(
			'tampered payload'  => array( 'tampered', 'seal_badge_jws_signature' ),
			'another key'       => array( 'other_key', 'seal_badge_jws_signature' ),
			'unknown kid'       => array( 'unknown_kid', 'seal_badge_jws_unknown_key' ),
			'alg none'          => array( 'alg_none', 'seal_badge_jws_malformed' ),
			'HS256'             => array( 'hs256', 'seal_badge_jws_malformed' ),
			'two parts'         => array( 'two_parts', 'seal_badge_jws_malformed' ),
			'another seal'      => array( 'other_seal', 'seal_badge_jws_claims' ),
			'lapsed'            => array( 'lapsed', 'seal_badge_jws_expired' ),
			'signed in future'  => array( 'future', 'seal_badge_jws_expired' ),
			'too long validity' => array( 'too_long', 'seal_badge_jws_expired' ),
			'unknown status'    => array( 'bad_status', 'seal_badge_jws_claims' ),
			'stars as text'     => array( 'stars_text', 'seal_badge_jws_claims' ),
		);
	}

	/**
	 * Each bad token is refused for its own reason.
	 *
	 * @dataProvider refused_tokens
	 * @param string $case  Which token.
	 * @param string $error Expected error code.
	 */
	public function test_bad_tokens_are_refused( $case, $error ) {
		$keys   = $this->keypair();
		$other  = $this->keypair();
		$claims = $this->claims();
		$good   = $this->sign( $claims, $keys );
		$parts  = explode( '.', $good );
		$tokens = array(
			'tampered'    => $parts[0] . '.' . self::b64( wp_json_encode( array_merge( $claims, array( 'stars' => 5 ) ) ) ) . '.' . $parts[2],
			'other_key'   => $this->sign( $claims, $other ),
			'unknown_kid' => $this->sign( $claims, $keys, array( 'kid' => 'nobody' ) ),
			'alg_none'    => self::b64( '{"alg":"none","kid":"test-key"}' ) . '.' . $parts[1] . '.',
			'hs256'       => $this->sign( $claims, $keys, array( 'alg' => 'HS256' ) ),
			'two_parts'   => $parts[0] . '.' . $parts[1],
			'other_seal'  => $this->sign( array_merge( $claims, array( 'id' => 'zzzzzzzzzzzz' ) ), $keys ),
			'lapsed'      => $this->sign( array_merge( $claims, array( 'exp' => time() - 1 ) ), $keys ),
			'future'      => $this->sign( array_merge( $claims, array( 'iat' => time() + 3600, 'exp' => time() + 7200 ) ), $keys ),
			'too_long'    => $this->sign( array_merge( $claims, array( 'exp' => time() + 4 * DAY_IN_SECONDS ) ), $keys ),
			'bad_status'  => $this->sign( array_merge( $claims, array( 'status' => 'great' ) ), $keys ),
			'stars_text'  => $this->sign( array_merge( $claims, array( 'stars' => '5' ) ), $keys ),
		);
		$result = Seal_Badge_Signature::verify( $tokens[ $case ], $keys['jwks'], 'abcdefghijkm', time() );
		$this->assertInstanceOf( WP_Error::class, $result );
		$this->assertSame( $error, $result->get_error_code() );
	}

	public function test_a_key_of_another_curve_is_not_used() {
		$keys                             = $this->keypair();
		$keys['jwks']['keys'][0]['crv'] = 'Ed448';
		$this->assertNull( Seal_Badge_Signature::public_key( $keys['jwks'], 'test-key' ) );
		$this->assertNull( Seal_Badge_Signature::public_key( 'garbage', 'test-key' ) );
	}

	public function test_sync_verifies_the_real_servers_signature_and_stores_its_lifetime() {
		$this->configure( 'active' );
		$status = Seal_Badge_Sync::run();
		$this->assertIsArray( $status );
		$this->assertSame( 'active', $status['status'] );
		$this->assertSame( DAY_IN_SECONDS, $status['valid_until'] - $status['signed_at'] );
		$this->assertEqualsWithDelta( time(), $status['signed_at'], 30 );
		$keys = get_option( Seal_Badge_Options::KEYS );
		$this->assertCount( 2, $keys['keys'], 'every key the server lists' );
		$this->assertSame( 'active', Seal_Badge_Sync::trusted_status( $status ) );
	}

	public function test_unknown_kid_refetches_the_key_set_once() {
		$this->configure( 'active' );
		$stale = $this->keypair( 'retired' );
		update_option( Seal_Badge_Options::KEYS, $stale['jwks'] );
		$this->assertIsArray( Seal_Badge_Sync::run(), 'the key set is fetched again and the status verifies' );
		$this->assertNotSame( $stale['jwks'], get_option( Seal_Badge_Options::KEYS ) );

		$fetched = 0;
		$this->filter(
			'pre_http_request',
			function ( $pre, $args, $url ) use ( &$fetched ) {
				if ( false !== strpos( $url, '/.well-known/seal-keys.json' ) ) {
					++$fetched;
				}
				return $pre;
			},
			10,
			3
		);
		Seal_Badge_Sync::run();
		$this->assertSame( 0, $fetched, 'a known kid needs no fetch' );
	}

	public function test_a_forged_status_is_never_believed() {
		$this->configure( 'suspended' );
		$forger = $this->keypair( 'forged' );
		$seal   = $this->seal( 'suspended' );
		$token  = $this->sign( array_merge( $this->claims(), array( 'id' => $seal['id'], 'domain' => '127.0.0.5' ) ), $forger );
		// Someone between the site and the authority answers the signed-status request with their own token.
		$this->filter(
			'pre_http_request',
			function ( $pre, $args, $url ) use ( $token ) {
				if ( false !== strpos( $url, '/status.jws' ) ) {
					return array(
						'headers'  => array( 'content-type' => 'application/jose' ),
						'body'     => $token,
						'response' => array(
							'code'    => 200,
							'message' => 'OK',
						),
						'cookies'  => array(),
						'filename' => null,
					);
				}
				return $pre;
			},
			10,
			3
		);
		$result = Seal_Badge_Sync::run();
		$this->assertInstanceOf( WP_Error::class, $result );
		$this->assertSame( 'seal_badge_jws_unknown_key', $result->get_error_code() );
		$this->assertFalse( get_option( Seal_Badge_Options::STATUS ) );
		$this->assertSame( 'unverified', Seal_Badge_Render::first_party_badge()['state'] );
	}

	public function test_cached_copy_is_green_only_until_the_signed_status_lapses() {
		$this->configure( 'active' );
		$status = Seal_Badge_Sync::run();
		$green  = get_option( Seal_Badge_Options::BADGE )['medium-fa']['svg'];
		$this->assertSame( $green, Seal_Badge_Render::first_party_badge( $status['valid_until'] - 1 )['svg'] );
		$lapsed = Seal_Badge_Render::first_party_badge( $status['valid_until'] );
		$this->assertSame( 'unverified', $lapsed['state'] );
		$this->assertNotSame( $green, $lapsed['svg'] );
		$this->assertStringContainsString( 'تأیید ممکن نیست', $lapsed['svg'] );
		$this->assertStringContainsString( 'برای استعلام کلیک کنید', $lapsed['svg'] );
		$this->assertStringContainsString( '#6b7280', $lapsed['svg'], 'gray' );
	}

	public function test_a_status_stored_without_signature_is_not_trusted() {
		$this->configure( 'active' );
		Seal_Badge_Sync::run();
		$status = get_option( Seal_Badge_Options::STATUS );
		unset( $status['valid_until'] );
		update_option( Seal_Badge_Options::STATUS, $status );
		delete_transient( Seal_Badge_Sync::LIVE_TRANSIENT );
		$this->assertSame( 'unknown', Seal_Badge_Sync::trusted_status( Seal_Badge_Sync::status() ) );
		$this->assertSame( 'unverified', Seal_Badge_Render::first_party_badge()['state'] );
	}

	public function test_failed_syncs_retry_after_5_then_15_minutes_then_an_hour_then_the_schedule() {
		$this->configure( 'active', array( 'server_url' => 'http://127.0.0.1:1' ) );
		foreach ( array( 300, 900, 3600 ) as $delay ) {
			$before = time();
			$this->assertInstanceOf( WP_Error::class, Seal_Badge_Sync::run() );
			$next = wp_next_scheduled( Seal_Badge_Sync::RETRY_ACTION );
			$this->assertNotFalse( $next );
			$this->assertGreaterThanOrEqual( $before + $delay, $next );
			$this->assertLessThanOrEqual( time() + $delay, $next );
		}
		$this->assertInstanceOf( WP_Error::class, Seal_Badge_Sync::run() );
		$this->assertFalse( wp_next_scheduled( Seal_Badge_Sync::RETRY_ACTION ), 'after three retries the twice-daily schedule takes over' );
		$this->assertSame( 4, get_option( Seal_Badge_Options::SYNC )['failures'] );

		$this->configure( 'active' );
		$this->assertIsArray( Seal_Badge_Sync::run() );
		$this->assertSame( 0, get_option( Seal_Badge_Options::SYNC )['failures'] );
		$this->assertFalse( wp_next_scheduled( Seal_Badge_Sync::RETRY_ACTION ) );
		$this->assertSame( 10, has_action( Seal_Badge_Sync::RETRY_ACTION, array( 'Seal_Badge_Sync', 'run' ) ) );
	}

	public function test_deactivation_clears_the_retry_too() {
		wp_schedule_single_event( time() + 300, Seal_Badge_Sync::RETRY_ACTION );
		Seal_Badge_Plugin::deactivate();
		$this->assertFalse( wp_next_scheduled( Seal_Badge_Sync::RETRY_ACTION ) );
		Seal_Badge_Sync::schedule();
	}
}
