<?php
/**
 * Shortcode, block, widget and footer output.
 *
 * @package Seal_Badge
 */

/**
 * Badge markup in every placement, escaped.
 */
class RenderTest extends Seal_Badge_TestCase {

	/**
	 * Markup parsed as HTML.
	 *
	 * @param string $html Markup.
	 * @return DOMXPath
	 */
	private function dom( $html ) {
		$document = new DOMDocument();
		$previous = libxml_use_internal_errors( true );
		$document->loadHTML( '<?xml encoding="utf-8"?><body>' . $html . '</body>' );
		libxml_clear_errors();
		libxml_use_internal_errors( $previous );
		return new DOMXPath( $document );
	}

	public function test_nothing_is_shown_before_a_seal_is_configured() {
		$this->assertSame( '', do_shortcode( '[seal_badge]' ) );
		$this->assertSame( '', do_blocks( '<!-- wp:seal-badge/badge /-->' ) );
	}

	public function test_shortcode_escapes_the_shop_name_from_the_authority() {
		$this->configure( 'hostile' );
		$this->assertNotInstanceOf( WP_Error::class, Seal_Badge_Sync::run() );
		$name = get_option( Seal_Badge_Options::STATUS )['name_fa'];
		$this->assertStringContainsString( '">', $name, 'tags are stripped on input, quotes are kept as text' );
		$html = do_shortcode( '[seal_badge]' );
		$this->assertStringNotContainsString( '<script', $html );
		$this->assertStringNotContainsString( '<img src=x', $html );
		$this->assertStringContainsString( '&quot;&gt;', $html );
		$dom    = $this->dom( $html );
		$images = $dom->query( '//img' );
		$this->assertSame( 1, $images->length, $html );
		$this->assertStringEndsWith( $name, $images->item( 0 )->getAttribute( 'alt' ), 'the name stays inside the alt attribute' );
		$this->assertSame( 0, $dom->query( '//script' )->length );
	}

	public function test_shortcode_links_to_the_verification_page_and_shows_the_live_badge() {
		$seal = $this->seal( 'active' );
		$this->configure( 'active' );
		Seal_Badge_Sync::run();
		$dom  = $this->dom( do_shortcode( '[seal_badge size="small" lang="en"]' ) );
		$link = $dom->query( '//div[contains(@class,"seal-badge--small")]/a' )->item( 0 );
		$this->assertNotNull( $link );
		$this->assertSame( $seal['verify_url'] . '&lang=en', $link->getAttribute( 'href' ) );
		$this->assertSame( '_blank', $link->getAttribute( 'target' ) );
		$this->assertSame( 'noopener', $link->getAttribute( 'rel' ) );
		$image = $dom->query( '//img' )->item( 0 );
		$this->assertStringStartsWith( getenv( 'SEAL_TEST_SERVER' ) . '/badge/' . $seal['id'] . '.svg?code=', $image->getAttribute( 'src' ) );
		$this->assertStringContainsString( 'size=small', $image->getAttribute( 'src' ) );
		$fallback = $image->getAttribute( 'data-seal-fallback' );
		$this->assertStringStartsWith( rest_url( 'seal-badge/v1/badge' ), $fallback );
		$this->assertStringContainsString( 'size=small', $fallback, 'the copy in the placement\'s own size' );
		$this->assertStringContainsString( 'lang=en', $fallback, 'and language' );
		$this->assertSame( '96', $image->getAttribute( 'width' ) );
		$this->assertTrue( wp_script_is( 'seal-badge', 'enqueued' ) );
	}

	public function test_shortcode_attributes_are_validated_not_echoed() {
		$this->configure( 'active' );
		$html = do_shortcode( '[seal_badge size=\'"><script>alert(1)</script>\' lang="<b>"]' );
		$this->assertStringNotContainsString( '<script', $html );
		$this->assertStringContainsString( 'seal-badge--medium', $html );
		$this->assertStringContainsString( 'lang="fa"', $html );
	}

	public function test_block_is_server_rendered_from_block_json_and_escaped() {
		$this->assertTrue( WP_Block_Type_Registry::get_instance()->is_registered( 'seal-badge/badge' ) );
		$type = WP_Block_Type_Registry::get_instance()->get_registered( 'seal-badge/badge' );
		$this->assertTrue( $type->is_dynamic() );
		$editor = wp_scripts()->query( $type->editor_script_handles[0], 'registered' );
		$this->assertNotFalse( $editor, 'the editor script from block.json is registered' );
		$this->assertContains( 'wp-server-side-render', $editor->deps );
		$this->configure( 'hostile' );
		Seal_Badge_Sync::run();
		$html = do_blocks( '<!-- wp:seal-badge/badge {"size":"large","lang":"\u003cscript\u003e"} /-->' );
		$this->assertStringContainsString( 'wp-block-seal-badge-badge', $html );
		$this->assertStringContainsString( 'seal-badge--large', $html );
		$this->assertStringContainsString( 'width="160"', $html );
		$this->assertStringNotContainsString( '<script', $html );
		$this->assertStringNotContainsString( '<img src=x', $html );
	}

	public function test_widget_prints_the_badge_and_an_escaped_title() {
		$this->configure( 'active' );
		$widget = new Seal_Badge_Widget();
		ob_start();
		$widget->widget(
			array(
				'before_widget' => '<section>',
				'after_widget'  => '</section>',
				'before_title'  => '<h2>',
				'after_title'   => '</h2>',
			),
			array( 'title' => '<em>Our seal</em>' )
		);
		$html = ob_get_clean();
		$this->assertStringContainsString( '<h2>&lt;em&gt;Our seal&lt;/em&gt;</h2>', $html );
		$this->assertStringContainsString( 'class="seal-badge ', $html );
		$this->assertSame( array( 'title' => 'Our seal' ), $widget->update( array( 'title' => '<em>Our seal</em>' ), array() ) );
	}

	/**
	 * The footer output as a visitor would get it.
	 *
	 * @return string
	 */
	private function footer() {
		ob_start();
		Seal_Badge_Render::footer();
		return ob_get_clean();
	}

	public function test_footer_insertion_follows_the_settings() {
		$this->configure( 'active', array( 'hide_on_mobile' => true ) );
		$this->assertStringContainsString( 'seal-badge--hide-mobile', $this->footer() );

		$this->configure( 'active', array( 'footer' => false ) );
		$this->assertSame( '', $this->footer() );

		$this->configure( 'active', array( 'front_page_only' => true ) );
		$page = wp_insert_post(
			array(
				'post_type'   => 'page',
				'post_status' => 'publish',
				'post_title'  => 'About',
			)
		);
		$this->visit( array( 'page_id' => $page ) );
		$this->assertFalse( is_front_page() );
		$this->assertSame( '', $this->footer() );
		$this->visit( array() );
		$this->assertTrue( is_front_page() );
		$this->assertStringContainsString( 'seal-badge-footer', $this->footer() );
	}

	/**
	 * Make the main query what a visit with these query variables runs.
	 *
	 * @param array $query Query variables; empty for the front page.
	 */
	private function visit( array $query ) {
		$GLOBALS['wp_the_query'] = new WP_Query(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- the simulated request's main query.
		$GLOBALS['wp_query']     = $GLOBALS['wp_the_query']; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- as above.
		$GLOBALS['wp_the_query']->query( $query );
	}

	public function test_unreachable_authority_means_the_first_party_copy_is_the_image() {
		$this->configure( 'active' );
		Seal_Badge_Sync::run();
		$this->configure( 'active', array( 'server_url' => 'http://127.0.0.1:1' ) );
		$this->assertInstanceOf( WP_Error::class, Seal_Badge_Sync::run() );
		$image = $this->dom( do_shortcode( '[seal_badge]' ) )->query( '//img' )->item( 0 );
		$this->assertStringStartsWith( rest_url( 'seal-badge/v1/badge' ), $image->getAttribute( 'src' ) );
		$this->assertFalse( $image->hasAttribute( 'data-seal-fallback' ) );
	}

	public function test_the_copy_route_has_no_file_extension_and_is_checked_from_the_site() {
		$this->configure( 'active' );
		Seal_Badge_Sync::run();
		$this->assertTrue( Seal_Badge_Render::check_route() );
		$this->assertSame( 'pretty', get_option( Seal_Badge_Options::ROUTE ) );
		$url = Seal_Badge_Render::local_badge_url( 'medium', 'fa' );
		$this->assertStringNotContainsString( '.svg', $url );
		$this->assertStringContainsString( '/wp-json/seal-badge/v1/badge?', $url, 'pretty permalinks are on in the test site' );
		$response = wp_remote_get( $url );
		$this->assertSame( 200, wp_remote_retrieve_response_code( $response ) );
		$this->assertStringStartsWith( 'image/svg+xml', wp_remote_retrieve_header( $response, 'content-type' ) );
		// The site's PHP process cannot see this test's uncommitted sync: it answers from what it has.
		$this->assertContains( wp_remote_retrieve_header( $response, 'x-seal-state' ), array( 'valid', 'unverified', 'suspended', 'revoked', 'expired', 'invalid' ) );
	}

	public function test_a_server_that_answers_the_pretty_address_from_disk_gets_the_plain_one() {
		$this->configure( 'active' );
		Seal_Badge_Sync::run();
		// As if the server handled /wp-json/ itself: the test site's router answers *.svg paths with 404.
		$this->filter(
			'rest_url',
			static function ( $url ) {
				return str_replace( '/seal-badge/v1/badge', '/seal-badge/v1/badge.svg', $url );
			}
		);
		$this->assertTrue( Seal_Badge_Render::check_route() );
		$this->assertSame( 'plain', get_option( Seal_Badge_Options::ROUTE ) );
		$url = Seal_Badge_Render::local_badge_url( 'small', 'en' );
		$this->assertStringContainsString( '?rest_route=/seal-badge/v1/badge&', rawurldecode( $url ) );
		$this->assertSame( 200, wp_remote_retrieve_response_code( wp_remote_get( $url ) ) );
		$image = $this->dom( do_shortcode( '[seal_badge]' ) )->query( '//img' )->item( 0 );
		$this->assertStringContainsString( '?rest_route=/seal-badge/v1/badge&', rawurldecode( $image->getAttribute( 'data-seal-fallback' ) ) );
	}
}
