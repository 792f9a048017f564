<?php
/**
 * Removes every option, transient and scheduled event the plugin created.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

require_once __DIR__ . '/includes/class-seal-badge-options.php';

foreach ( Seal_Badge_Options::ALL as $seal_badge_option ) {
	delete_option( $seal_badge_option );
}

// Known names first: with a persistent object cache, transients never reach the options table.
foreach ( array( 'seal_badge_live_status', 'seal_badge_poke_lock' ) as $seal_badge_transient ) {
	delete_transient( $seal_badge_transient );
}

global $wpdb;
// Per-user form and test-result transients have ids in their names, so they are found by prefix.
$seal_badge_like = $wpdb->esc_like( '_transient_' . Seal_Badge_Options::TRANSIENT_PREFIX ) . '%';
$seal_badge_names = $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s", $seal_badge_like ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- no API lists transients by prefix; runs once on uninstall.
foreach ( $seal_badge_names as $seal_badge_name ) {
	delete_transient( substr( $seal_badge_name, strlen( '_transient_' ) ) );
}

wp_clear_scheduled_hook( 'seal_badge_sync' );
