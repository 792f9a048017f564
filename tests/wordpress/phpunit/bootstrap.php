<?php
/**
 * Loads the real WordPress that tests/wordpress/conftest.py installed (SEAL_WP_ROOT).
 *
 * @package Seal_Badge
 */

$seal_test_root = getenv( 'SEAL_WP_ROOT' );
if ( ! $seal_test_root || ! is_file( $seal_test_root . '/wp-load.php' ) ) {
	fwrite( STDERR, "SEAL_WP_ROOT must point at an installed WordPress; run these tests through pytest tests/wordpress.\n" );
	exit( 1 );
}
$seal_test_url            = parse_url( getenv( 'SEAL_WP_URL' ) ); // phpcs:ignore WordPress.WP.AlternativeFunctions.parse_url_parse_url -- WordPress is not loaded yet.
$_SERVER['HTTP_HOST']     = $seal_test_url['host'] . ':' . $seal_test_url['port'];
$_SERVER['SERVER_NAME']   = $seal_test_url['host'];
$_SERVER['SERVER_PORT']   = (string) $seal_test_url['port'];
$_SERVER['REQUEST_URI']   = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';

// PHPUnit includes this file inside a method: declare the globals WordPress sets at file scope.
// phpcs:ignore WordPress.NamingConventions.PrefixAllGlobals -- WordPress's own global names.
global $wpdb, $current_site, $current_blog, $wp_rewrite, $shortcode_tags, $wp, $phpmailer, $wp_theme_directories, $wp_filter, $wp_actions, $wp_current_filter, $wp_locale, $wp_roles, $wp_embed, $wp_query, $wp_the_query, $wp_widget_factory, $wp_version, $wp_db_version, $table_prefix, $blog_id, $wp_plugin_paths, $wp_textdomain_registry, $wp_object_cache, $pagenow, $allowedposttags, $allowedtags, $allowedentitynames;
require $seal_test_root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';

if ( ! class_exists( 'Seal_Badge_Plugin' ) ) {
	fwrite( STDERR, "The seal-badge plugin is not active in the test site.\n" );
	exit( 1 );
}
require_once __DIR__ . '/class-seal-badge-testcase.php';
