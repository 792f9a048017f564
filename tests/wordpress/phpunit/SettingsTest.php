<?php
/**
 * The settings page: capability, nonce, validation, snippet parsing, test connection.
 *
 * @package Seal_Badge
 */

/**
 * Saving settings the way admin-post.php does.
 */
class SettingsTest extends Seal_Badge_TestCase {

	/**
	 * Put a submitted form in the request globals.
	 *
	 * @param array       $fields Form fields (seal_badge[...]).
	 * @param string|null $nonce  Nonce, or null for none.
	 */
	private function submit( array $fields, $nonce ) {
		$_POST = array( 'seal_badge' => wp_slash( $fields ) );
		if ( null !== $nonce ) {
			$_POST['_wpnonce'] = $nonce;
		}
		$_REQUEST = $_POST;
	}

	public function test_admin_with_valid_nonce_saves_a_pasted_snippet_and_syncs_with_the_server() {
		$this->login_as( 'administrator' );
		$seal = $this->seal( 'active' );
		$this->submit(
			array(
				'snippet' => $seal['snippet'],
				'size'    => 'large',
				'lang'    => 'en',
				'footer'  => '1',
			),
			wp_create_nonce( 'seal_badge_save' )
		);
		$redirect = Seal_Badge_Settings::save_from_request();
		$this->assertStringContainsString( 'seal-badge=saved', $redirect );
		$settings = get_option( Seal_Badge_Options::SETTINGS );
		$this->assertSame( getenv( 'SEAL_TEST_SERVER' ), $settings['server_url'] );
		$this->assertSame( $seal['id'], $settings['seal_id'] );
		$this->assertSame( $seal['code'], $settings['code'] );
		$this->assertSame( 'large', $settings['size'] );
		$this->assertSame( 'en', $settings['lang'] );
		$this->assertTrue( $settings['footer'] );
		$this->assertFalse( $settings['hide_on_mobile'] );
		$this->assertSame( 'active', get_option( Seal_Badge_Options::STATUS )['status'] );
		$this->assertSame( 'pretty', get_option( Seal_Badge_Options::ROUTE ), 'the site loaded its own badge copy on save' );
	}

	public function test_missing_nonce_is_refused_and_nothing_is_saved() {
		$this->login_as( 'administrator' );
		$this->configure( 'active' );
		$before = get_option( Seal_Badge_Options::SETTINGS );
		$this->submit( array( 'snippet' => $this->seal( 'suspended' )['snippet'] ), null );
		try {
			Seal_Badge_Settings::save_from_request();
			$this->fail( 'saving without a nonce must stop' );
		} catch ( Seal_Badge_Die_Exception $stopped ) {
			$this->assertSame( 403, $stopped->getCode() );
		}
		$this->assertSame( $before, get_option( Seal_Badge_Options::SETTINGS ) );
	}

	public function test_forged_nonce_is_refused() {
		$this->login_as( 'administrator' );
		$this->submit( array( 'snippet' => $this->seal( 'active' )['snippet'] ), wp_create_nonce( 'another_action' ) );
		$this->expectException( Seal_Badge_Die_Exception::class );
		Seal_Badge_Settings::save_from_request();
	}

	public function test_user_without_capability_is_refused_even_with_a_valid_nonce() {
		$this->login_as( 'editor' );
		$this->submit( array( 'snippet' => $this->seal( 'active' )['snippet'] ), wp_create_nonce( 'seal_badge_save' ) );
		try {
			Seal_Badge_Settings::save_from_request();
			$this->fail( 'an editor must not change the settings' );
		} catch ( Seal_Badge_Die_Exception $stopped ) {
			$this->assertSame( 403, $stopped->getCode() );
		}
		$this->assertSame( '', Seal_Badge_Options::settings()['server_url'] );
	}

	public function test_test_connection_needs_its_own_nonce_and_reports_the_live_status() {
		$user = $this->login_as( 'administrator' );
		$this->configure( 'suspended' );
		$_POST    = array( '_wpnonce' => wp_create_nonce( 'seal_badge_save' ) );
		$_REQUEST = $_POST;
		try {
			Seal_Badge_Settings::test_from_request();
			$this->fail( 'the save nonce must not pass for the test action' );
		} catch ( Seal_Badge_Die_Exception $stopped ) {
			$this->assertSame( 403, $stopped->getCode() );
		}
		$_POST    = array( '_wpnonce' => wp_create_nonce( 'seal_badge_test' ) );
		$_REQUEST = $_POST;
		$this->assertStringContainsString( 'seal-badge=tested', Seal_Badge_Settings::test_from_request() );
		$result = get_transient( 'seal_badge_test_' . $user );
		$this->assertSame( 'suspended', $result['status']['status'] );

		ob_start();
		Seal_Badge_Settings::render();
		$page = ob_get_clean();
		$this->assertStringContainsString( 'seal-badge-status--suspended', $page );
		$this->assertStringContainsString( 'Suspended', $page );
	}

	public function test_bad_input_gives_messages_keeps_what_was_typed_and_saves_nothing() {
		$user = $this->login_as( 'administrator' );
		$this->submit(
			array(
				'server_url' => 'http://seal.example.ir"><script>alert(1)</script>',
				'seal_id'    => 'NOT-AN-ID',
				'code'       => 'x',
				'size'       => 'huge',
				'lang'       => 'fr',
			),
			wp_create_nonce( 'seal_badge_save' )
		);
		$this->assertStringContainsString( 'seal-badge=error', Seal_Badge_Settings::save_from_request() );
		$this->assertSame( '', Seal_Badge_Options::settings()['server_url'] );
		$form = get_transient( 'seal_badge_form_' . $user );
		$this->assertCount( 5, $form['errors'] );

		ob_start();
		Seal_Badge_Settings::render();
		$page = ob_get_clean();
		$this->assertStringContainsString( 'must start with https://', $page );
		$this->assertStringContainsString( 'value="not-an-id"', $page );
		$this->assertStringNotContainsString( '<script>alert(1)', $page );
		$this->assertFalse( get_transient( 'seal_badge_form_' . $user ), 'errors are shown once' );
	}

	public function test_snippet_without_a_seal_is_reported() {
		$this->login_as( 'administrator' );
		$this->submit( array( 'snippet' => '<a href="https://example.com/">hello</a>' ), wp_create_nonce( 'seal_badge_save' ) );
		Seal_Badge_Settings::save_from_request();
		$form = get_transient( 'seal_badge_form_' . get_current_user_id() );
		$this->assertStringContainsString( 'No seal was found in the pasted snippet', $form['errors'][0] );
		$this->assertSame( '<a href="https://example.com/">hello</a>', $form['values']['snippet'] );
	}

	public function test_parse_snippet_reads_the_servers_own_snippet_and_plain_urls() {
		$seal   = $this->seal( 'active' );
		$parsed = Seal_Badge_Options::parse_snippet( $seal['snippet'] );
		$this->assertSame(
			array(
				'server_url' => getenv( 'SEAL_TEST_SERVER' ),
				'seal_id'    => $seal['id'],
				'code'       => $seal['code'],
			),
			$parsed
		);
		$this->assertSame( $parsed, Seal_Badge_Options::parse_snippet( $seal['badge_url'] . '&amp;lang=en' ) );
		$this->assertSame( 'https://seal.example.ir/authority', Seal_Badge_Options::parse_snippet( 'https://seal.example.ir/authority/verify/abcdefghijkm?lang=en&code=ABCDEFGHIJKLMNOPQRST_-' )['server_url'] );
		$this->assertNull( Seal_Badge_Options::parse_snippet( 'https://seal.example.ir/verify/abc?code=short' ) );
		$this->assertNull( Seal_Badge_Options::parse_snippet( 'javascript:alert(1)//verify/abcdefghijkm?code=ABCDEFGHIJKLMNOPQRST' ) );
	}

	public function test_server_url_rules() {
		$this->assertSame( 'https://seal.example.ir', Seal_Badge_Options::clean_server_url( ' https://seal.example.ir/ ' ) );
		$this->assertSame( 'http://127.0.0.1:5000', Seal_Badge_Options::clean_server_url( 'http://127.0.0.1:5000' ) );
		$this->assertInstanceOf( WP_Error::class, Seal_Badge_Options::clean_server_url( 'http://seal.example.ir' ) );
		$this->assertInstanceOf( WP_Error::class, Seal_Badge_Options::clean_server_url( 'https://user:pw@seal.example.ir' ) );
		$this->assertInstanceOf( WP_Error::class, Seal_Badge_Options::clean_server_url( 'https://seal.example.ir/?x=1' ) );
		$this->assertInstanceOf( WP_Error::class, Seal_Badge_Options::clean_server_url( 'seal.example.ir' ) );
		$this->assertInstanceOf( WP_Error::class, Seal_Badge_Options::clean_server_url( 'ftp://seal.example.ir' ) );
	}

	public function test_settings_page_renders_nothing_for_users_without_capability() {
		$this->login_as( 'subscriber' );
		ob_start();
		Seal_Badge_Settings::render();
		$this->assertSame( '', ob_get_clean() );
	}
}
