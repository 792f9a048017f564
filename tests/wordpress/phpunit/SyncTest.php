<?php
/**
 * Status sync against the real seal server, and the first-party fallback.
 *
 * @package Seal_Badge
 */

/**
 * The sync talks to the seal server the test session started.
 */
class SyncTest extends Seal_Badge_TestCase {

	public function test_active_seal_status_and_a_valid_badge_copy_are_stored() {
		$seal = $this->seal( 'active' );
		$this->configure( 'active' );
		$status = Seal_Badge_Sync::run();
		$this->assertIsArray( $status );
		$this->assertSame( $seal['id'], $status['id'] );
		$this->assertSame( 'active', $status['status'] );
		$this->assertSame( 'فروشگاه نمونه', $status['name_fa'] );
		$this->assertSame( 3, $status['stars'] );
		$this->assertSame( '127.0.0.1', $status['domain'] );
		$this->assertSame( $seal['verify_url'], $status['verify_url'] );
		$this->assertGreaterThan( 700, $status['days_left'] );
		$this->assertSame( 0, $status['record']['complaints_open'] );
		$this->assertSame( $status, get_transient( Seal_Badge_Sync::LIVE_TRANSIENT ) );
		$this->assertSame( $status, get_option( Seal_Badge_Options::STATUS ) );
		$this->assertFalse( Seal_Badge_Sync::authority_unreachable() );

		$badges = get_option( Seal_Badge_Options::BADGE );
		$this->assertSame( array( 'small-fa', 'small-en', 'medium-fa', 'medium-en', 'large-fa', 'large-en' ), array_keys( $badges ), 'a copy for every size and language a placement may ask for' );
		$this->assertNotSame( $badges['medium-fa']['svg'], $badges['medium-en']['svg'] );
		$this->assertStringContainsString( 'width="96"', $badges['small-en']['svg'] );
		$badge = $badges['medium-fa'];
		$this->assertSame( 'valid', $badge['state'], 'fetched with this site as Referer, the badge is valid' );
		$this->assertStringStartsWith( '<svg', $badge['svg'] );
		$this->assertTrue( Seal_Badge_Client::is_safe_svg( $badge['svg'] ) );
		$this->assertSame( $badge['svg'], Seal_Badge_Render::first_party_badge()['svg'] );
	}

	/**
	 * Seals the server has put in a state that is not valid.
	 *
	 * @return array[]
	 */
	public function not_valid_seals() {
		return array(
			'suspended' => array( 'suspended', 'suspended' ),
			'revoked'   => array( 'revoked', 'revoked' ),
			'expired'   => array( 'expired', 'expired' ),
		);
	}

	/**
	 * A seal in another state is stored as such, with the matching badge.
	 *
	 * @dataProvider not_valid_seals
	 * @param string $key    Seal key.
	 * @param string $status Expected status.
	 */
	public function test_not_valid_seal_is_stored_with_its_own_badge( $key, $status ) {
		$this->configure( $key );
		$this->assertSame( $status, Seal_Badge_Sync::run()['status'] );
		$badge = get_option( Seal_Badge_Options::BADGE )['medium-fa'];
		$this->assertSame( $status, $badge['state'] );
		$served = Seal_Badge_Render::first_party_badge();
		$this->assertSame( $status, $served['state'] );
	}

	public function test_a_badge_that_disagrees_with_the_signed_status_is_not_kept() {
		$this->assertTrue( Seal_Badge_Sync::badge_agrees( 'valid', 'active' ) );
		$this->assertTrue( Seal_Badge_Sync::badge_agrees( 'suspended', 'suspended' ) );
		$this->assertFalse( Seal_Badge_Sync::badge_agrees( 'valid', 'suspended' ), 'a badge the authority drew before the suspension' );
		$this->assertFalse( Seal_Badge_Sync::badge_agrees( 'suspended', 'active' ) );
		// This site (127.0.0.1) shows the seal of 127.0.0.3: the authority draws it as foreign.
		$this->configure( 'days7' );
		$this->assertSame( 'active', Seal_Badge_Sync::run()['status'] );
		$this->assertFalse( get_option( Seal_Badge_Options::BADGE ) );
		$this->assertSame( 'unverified', Seal_Badge_Render::first_party_badge()['state'] );
	}

	public function test_wrong_code_is_recorded_as_invalid_and_no_badge_is_kept() {
		$this->configure( 'active' );
		Seal_Badge_Sync::run();
		$this->configure( 'active', array( 'code' => str_repeat( 'A', 43 ) ) );
		$status = Seal_Badge_Sync::run();
		$this->assertSame( 'invalid', $status['status'] );
		$this->assertFalse( get_option( Seal_Badge_Options::BADGE ) );
		$served = Seal_Badge_Render::first_party_badge();
		$this->assertSame( 'invalid', $served['state'] );
		$this->assertStringContainsString( 'نامعتبر', $served['svg'], 'the badge language (fa) decides, not the site language' );
		$this->configure( 'active', array( 'code' => str_repeat( 'A', 43 ), 'lang' => 'en' ) );
		$this->assertStringContainsString( '>Not valid</text>', Seal_Badge_Render::first_party_badge()['svg'] );
	}

	public function test_unreachable_authority_keeps_the_last_good_status_and_badge() {
		$this->configure( 'active' );
		$good  = Seal_Badge_Sync::run();
		$badge = get_option( Seal_Badge_Options::BADGE )['medium-fa'];
		// A port nothing listens on: the real HTTP API fails to connect.
		$this->configure( 'active', array( 'server_url' => 'http://127.0.0.1:1' ) );
		$result = Seal_Badge_Sync::run();
		$this->assertInstanceOf( WP_Error::class, $result );
		$this->assertSame( 'seal_badge_unreachable', $result->get_error_code() );
		$this->assertTrue( Seal_Badge_Sync::authority_unreachable() );
		$this->assertFalse( get_transient( Seal_Badge_Sync::LIVE_TRANSIENT ) );
		$this->assertSame( $good, Seal_Badge_Sync::status() );
		$this->assertSame( $badge['svg'], Seal_Badge_Render::first_party_badge()['svg'] );
		$this->assertSame( 'valid', Seal_Badge_Render::first_party_badge()['state'] );
	}

	public function test_non_json_answer_is_an_error_not_a_status() {
		// The WordPress site itself answers, but not with the seal API.
		$this->configure( 'active', array( 'server_url' => untrailingslashit( home_url() ) ) );
		$result = Seal_Badge_Sync::run();
		$this->assertInstanceOf( WP_Error::class, $result );
		$this->assertFalse( get_option( Seal_Badge_Options::STATUS ) );
	}

	public function test_stale_green_copy_is_never_served_for_a_seal_no_longer_valid() {
		$this->configure( 'active' );
		Seal_Badge_Sync::run();
		$green = get_option( Seal_Badge_Options::BADGE )['medium-fa']['svg'];
		// The authority later says "suspended" while the stored copy is still the green one.
		update_option( Seal_Badge_Options::STATUS, array_merge( get_option( Seal_Badge_Options::STATUS ), array( 'status' => 'suspended' ) ) );
		delete_transient( Seal_Badge_Sync::LIVE_TRANSIENT );
		$served = Seal_Badge_Render::first_party_badge();
		$this->assertNotSame( $green, $served['svg'] );
		$this->assertSame( 'suspended', $served['state'] );
		$this->assertStringContainsString( 'تعلیق شده', $served['svg'] );
		$this->assertStringNotContainsString( '#15803d', $served['svg'] );
	}

	public function test_active_status_past_its_expiry_on_our_clock_is_not_served_green() {
		$this->configure( 'active' );
		Seal_Badge_Sync::run();
		$status = get_option( Seal_Badge_Options::STATUS );
		$later  = strtotime( $status['expires_at'] ) + DAY_IN_SECONDS;
		$this->assertSame( 'expired', Seal_Badge_Sync::effective_status( $status, $later ) );
		// The seal's own expiry passes while its signed status is still in force.
		$status['expires_at'] = gmdate( 'c', time() - HOUR_IN_SECONDS );
		update_option( Seal_Badge_Options::STATUS, $status );
		delete_transient( Seal_Badge_Sync::LIVE_TRANSIENT );
		$served = Seal_Badge_Render::first_party_badge();
		$this->assertSame( 'expired', $served['state'] );
		$this->assertStringContainsString( 'منقضی شده', $served['svg'] );
	}

	public function test_rest_route_serves_the_copy_as_an_svg_with_strict_headers() {
		$this->configure( 'active' );
		Seal_Badge_Sync::run();
		$badges   = get_option( Seal_Badge_Options::BADGE );
		$response = rest_do_request( new WP_REST_Request( 'GET', '/seal-badge/v1/badge' ) );
		$this->assertSame( 200, $response->get_status() );
		$headers = $response->get_headers();
		$this->assertSame( 'image/svg+xml; charset=utf-8', $headers['Content-Type'] );
		$this->assertSame( 'nosniff', $headers['X-Content-Type-Options'] );
		$this->assertStringContainsString( "default-src 'none'", $headers['Content-Security-Policy'] );
		$this->assertSame( 'valid', $headers['X-Seal-State'] );
		$this->assertSame( $badges['medium-fa']['svg'], $response->get_data() );

		$request = new WP_REST_Request( 'GET', '/seal-badge/v1/badge' );
		$request->set_query_params(
			array(
				'size' => 'large',
				'lang' => 'en',
			)
		);
		$this->assertSame( $badges['large-en']['svg'], rest_do_request( $request )->get_data(), 'each placement gets its own size and language' );
		$request->set_query_params( array( 'size' => '"><script>' ) );
		$this->assertSame( $badges['medium-fa']['svg'], rest_do_request( $request )->get_data() );
		$legacy = rest_do_request( new WP_REST_Request( 'GET', '/seal-badge/v1/badge.svg' ) );
		$this->assertSame( $badges['medium-fa']['svg'], $legacy->get_data(), 'addresses of version 0.1 keep working' );

		ob_start();
		$served = Seal_Badge_Render::serve_svg( false, $response, new WP_REST_Request( 'GET', '/seal-badge/v1/badge' ), rest_get_server() );
		$body   = ob_get_clean();
		$this->assertTrue( $served );
		$this->assertSame( $response->get_data(), $body, 'the body is the raw SVG, not JSON' );
		$this->assertFalse( Seal_Badge_Render::serve_svg( false, $response, new WP_REST_Request( 'GET', '/wp/v2/posts' ), rest_get_server() ) );
	}

	public function test_enveloped_badge_request_is_plain_json_without_warnings() {
		$this->configure( 'active' );
		Seal_Badge_Sync::run();
		$enveloped = new WP_REST_Response( array( 'body' => '<svg/>', 'status' => 200, 'headers' => array() ), 200 );
		ob_start();
		$served = Seal_Badge_Render::serve_svg( false, $enveloped, new WP_REST_Request( 'GET', '/seal-badge/v1/badge.svg' ), rest_get_server() );
		$this->assertSame( '', ob_get_clean() );
		$this->assertFalse( $served );
		// Over HTTP, as bug reports showed it ("Array" and a PHP warning).
		$response = wp_remote_get( home_url( '/?rest_route=/seal-badge/v1/badge.svg&_envelope=1' ), array( 'timeout' => 10 ) );
		$this->assertSame( 200, wp_remote_retrieve_response_code( $response ) );
		$body = json_decode( wp_remote_retrieve_body( $response ), true );
		$this->assertIsArray( $body, wp_remote_retrieve_body( $response ) );
		$this->assertStringStartsWith( '<svg', $body['body'] );
		$this->assertArrayHasKey( 'X-Seal-State', $body['headers'] );
	}

	public function test_refresh_route_refetches_from_the_configured_authority_and_is_rate_limited() {
		$this->configure( 'suspended' );
		$request = new WP_REST_Request( 'POST', '/seal-badge/v1/refresh' );
		$request->set_body_params( array( 'status' => 'active' ) );
		$first = rest_do_request( $request );
		$this->assertSame( 200, $first->get_status() );
		$this->assertSame( array( 'status' => 'suspended' ), $first->get_data(), 'the request body is not trusted' );
		$second = rest_do_request( $request );
		$this->assertSame( 429, $second->get_status() );
		$this->assertSame( '60', $second->get_headers()['Retry-After'] );
	}

	public function test_host_filters_apply_only_to_the_plugins_own_requests() {
		$this->configure( 'active' );
		Seal_Badge_Sync::run();
		$this->assertFalse( wp_http_validate_url( getenv( 'SEAL_TEST_SERVER' ) . '/healthz' ), 'outside the plugin the authority port stays refused' );
		$client = new Seal_Badge_Client( Seal_Badge_Options::settings() );
		$this->assertTrue( $client->allow_authority_host( false, '127.0.0.1' ) );
		$this->assertFalse( $client->allow_authority_host( false, '10.0.0.1' ) );
		$this->assertSame( array( 80 ), $client->allow_authority_port( array( 80 ), '10.0.0.1' ) );
	}

	public function test_svg_with_active_content_is_refused() {
		$this->assertTrue( Seal_Badge_Client::is_safe_svg( '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>' ) );
		$this->assertFalse( Seal_Badge_Client::is_safe_svg( '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' ) );
		$this->assertFalse( Seal_Badge_Client::is_safe_svg( '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>' ) );
		$this->assertFalse( Seal_Badge_Client::is_safe_svg( '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>' ) );
		$this->assertFalse( Seal_Badge_Client::is_safe_svg( '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>' ) );
		$this->assertFalse( Seal_Badge_Client::is_safe_svg( '<html><body>not svg</body></html>' ) );
		$this->assertFalse( Seal_Badge_Client::is_safe_svg( '<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>' ) );
	}

	public function test_api_body_with_missing_or_wrong_fields_is_refused() {
		$good = $this->status( 'active', 100 );
		$this->assertIsArray( Seal_Badge_Client::validate_status( $good, 'abcdefghijkm' ) );
		$this->assertInstanceOf( WP_Error::class, Seal_Badge_Client::validate_status( $good, 'zzzzzzzzzzzz' ) );
		$missing = $good;
		unset( $missing['record'] );
		$this->assertInstanceOf( WP_Error::class, Seal_Badge_Client::validate_status( $missing, 'abcdefghijkm' ) );
		$this->assertInstanceOf( WP_Error::class, Seal_Badge_Client::validate_status( array_merge( $good, array( 'status' => 'great' ) ), 'abcdefghijkm' ) );
		$this->assertInstanceOf( WP_Error::class, Seal_Badge_Client::validate_status( 'text', 'abcdefghijkm' ) );
		$clean = Seal_Badge_Client::validate_status( array_merge( $good, array( 'stars' => 99, 'verify_url' => 'javascript:alert(1)' ) ), 'abcdefghijkm' );
		$this->assertSame( 5, $clean['stars'] );
		$this->assertSame( '', $clean['verify_url'] );
	}
}
