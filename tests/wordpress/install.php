<?php
/**
 * Installs WordPress in SEAL_WP_ROOT and activates the plugin (run by conftest.py).
 *
 * @package Seal_Badge
 */

define( 'WP_INSTALLING', true );
$_SERVER['HTTP_HOST'] = wp_test_host();
require getenv( 'SEAL_WP_ROOT' ) . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

/**
 * Host and port of the test site.
 *
 * @return string
 */
function wp_test_host() {
	return (string) wp_parse_url_simple( getenv( 'SEAL_WP_URL' ) );
}

/**
 * The host:port part of a URL (wp_parse_url is not loaded yet).
 *
 * @param string $url URL.
 * @return string
 */
function wp_parse_url_simple( $url ) {
	$parts = parse_url( $url ); // phpcs:ignore WordPress.WP.AlternativeFunctions.parse_url_parse_url -- WordPress is not loaded yet.
	return $parts['host'] . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
}

$result = wp_install( 'Seal test shop', getenv( 'SEAL_WP_ADMIN' ), 'admin@shop.test', true, '', wp_slash( getenv( 'SEAL_WP_PASSWORD' ) ), 'en_US' );
if ( is_wp_error( $result ) ) {
	fwrite( STDERR, $result->get_error_message() . "\n" );
	exit( 1 );
}
// Pretty permalinks, as on real shops: /wp-json/ routes go through the router script's index.php fallback.
global $wp_rewrite;
$wp_rewrite->set_permalink_structure( '/%postname%/' );
$wp_rewrite->flush_rules( false );
$activated = activate_plugin( 'seal-badge/seal-badge.php' );
if ( is_wp_error( $activated ) ) {
	fwrite( STDERR, $activated->get_error_message() . "\n" );
	exit( 1 );
}
echo 'installed WordPress ' . $GLOBALS['wp_version'] . "\n";
