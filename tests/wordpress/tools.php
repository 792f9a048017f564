<?php
/**
 * Moves the test site's clock-dependent state, for the browser walk (run by test_browser.py).
 *
 *   php tools.php age-status SECONDS   the stored signed status was fetched SECONDS earlier
 *   php tools.php retry-now            the pending sync retry becomes due now; prints its delay
 *
 * @package Seal_Badge
 */

$seal_tools_url         = parse_url( getenv( 'SEAL_WP_URL' ) ); // phpcs:ignore WordPress.WP.AlternativeFunctions.parse_url_parse_url -- WordPress is not loaded yet.
$_SERVER['HTTP_HOST']   = $seal_tools_url['host'] . ':' . $seal_tools_url['port'];
$_SERVER['REQUEST_URI'] = '/';
require getenv( 'SEAL_WP_ROOT' ) . '/wp-load.php';

$seal_tools_command = isset( $argv[1] ) ? $argv[1] : '';
if ( 'age-status' === $seal_tools_command ) {
	$seal_tools_status = get_option( Seal_Badge_Options::STATUS );
	foreach ( array( 'signed_at', 'valid_until', 'fetched_at' ) as $seal_tools_field ) {
		$seal_tools_status[ $seal_tools_field ] -= (int) $argv[2];
	}
	update_option( Seal_Badge_Options::STATUS, $seal_tools_status, false );
	delete_transient( Seal_Badge_Sync::LIVE_TRANSIENT );
	echo wp_json_encode( array( 'valid_until' => $seal_tools_status['valid_until'] ) ), "\n";
} elseif ( 'retry-now' === $seal_tools_command ) {
	$seal_tools_next = wp_next_scheduled( Seal_Badge_Sync::RETRY_ACTION );
	if ( false === $seal_tools_next ) {
		fwrite( STDERR, "no retry is scheduled\n" );
		exit( 1 );
	}
	wp_unschedule_event( $seal_tools_next, Seal_Badge_Sync::RETRY_ACTION );
	wp_schedule_single_event( time() - 1, Seal_Badge_Sync::RETRY_ACTION );
	echo wp_json_encode( array( 'delay' => $seal_tools_next - time() ) ), "\n";
} else {
	fwrite( STDERR, "usage: php tools.php age-status SECONDS | retry-now\n" );
	exit( 2 );
}
