<?php
/**
 * A multisite network for the uninstall test (run by test_multisite.py).
 *
 *   php multisite.php network     turn the installed single site into a network (before MULTISITE is set)
 *   php multisite.php uninstall   add a second site using the plugin, uninstall, report what is left
 *
 * @package Seal_Badge
 */

if ( isset( $argv[1] ) && 'network' === $argv[1] ) {
	// As wp-admin/network.php does: only then does wpdb name the network's tables.
	define( 'WP_INSTALLING_NETWORK', true );
}
$_SERVER['HTTP_HOST']   = 'network.test';
$_SERVER['REQUEST_URI'] = '/';
require getenv( 'SEAL_WP_ROOT' ) . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';

/**
 * The plugin's data on the current site: options and widget ids in sidebars.
 *
 * @return array
 */
function seal_multisite_leftovers() {
	global $wpdb;
	$widgets = array();
	foreach ( (array) get_option( 'sidebars_widgets', array() ) as $sidebar => $ids ) {
		foreach ( (array) $ids as $id ) {
			if ( 0 === strpos( (string) $id, 'seal_badge' ) ) {
				$widgets[] = $sidebar . ':' . $id;
			}
		}
	}
	return array(
		'options' => $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE '%seal\\_badge%'" ), // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- a test's look at the table.
		'widgets' => $widgets,
		'cron'    => (bool) wp_next_scheduled( 'seal_badge_sync' ),
	);
}

/**
 * Give the current site the data a configured, used plugin has.
 */
function seal_multisite_use_plugin() {
	update_option(
		'seal_badge_settings',
		array(
			'server_url' => 'https://seal.example',
			'seal_id'    => 'abcdefghijkm',
			'code'       => str_repeat( 'A', 43 ),
		)
	);
	update_option( 'seal_badge_status', array( 'status' => 'active' ) );
	update_option( 'widget_seal_badge', array( 2 => array( 'title' => 'Seal' ) ) );
	update_option( 'sidebars_widgets', array( 'sidebar-1' => array( 'seal_badge-2', 'search-2' ), 'array_version' => 3 ) );
	set_transient( 'seal_badge_test_1', array( 'error' => 'x' ), 60 );
	wp_schedule_event( time() + 60, 'twicedaily', 'seal_badge_sync' );
}

$seal_multisite_command = isset( $argv[1] ) ? $argv[1] : '';
if ( 'network' === $seal_multisite_command ) {
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	require_once ABSPATH . 'wp-admin/includes/network.php';
	global $wpdb;
	// As wp-admin/network.php does: name the network's tables before creating them.
	foreach ( $wpdb->tables( 'ms_global' ) as $seal_multisite_table => $seal_multisite_prefixed ) {
		$wpdb->$seal_multisite_table = $seal_multisite_prefixed;
	}
	install_network();
	$seal_multisite_result = populate_network( 1, 'network.test', get_option( 'admin_email' ), 'Seal network', '/', false );
	if ( is_wp_error( $seal_multisite_result ) ) {
		fwrite( STDERR, $seal_multisite_result->get_error_message() . "\n" );
		exit( 1 );
	}
	echo wp_json_encode( array( 'network' => true ) ), "\n";
} elseif ( 'uninstall' === $seal_multisite_command ) {
	if ( ! is_multisite() ) {
		fwrite( STDERR, "not a network\n" );
		exit( 1 );
	}
	$seal_multisite_second = wpmu_create_blog( 'network.test', '/second/', 'Second shop', 1 );
	if ( is_wp_error( $seal_multisite_second ) ) {
		fwrite( STDERR, $seal_multisite_second->get_error_message() . "\n" );
		exit( 1 );
	}
	$seal_multisite_sites = array( 1, (int) $seal_multisite_second );
	$seal_multisite_before = array();
	foreach ( $seal_multisite_sites as $seal_multisite_site ) {
		switch_to_blog( $seal_multisite_site );
		seal_multisite_use_plugin();
		$seal_multisite_before[ $seal_multisite_site ] = seal_multisite_leftovers();
		restore_current_blog();
	}
	$seal_multisite_uninstalled = uninstall_plugin( 'seal-badge/seal-badge.php' );
	$seal_multisite_after       = array();
	foreach ( $seal_multisite_sites as $seal_multisite_site ) {
		switch_to_blog( $seal_multisite_site );
		wp_cache_flush();
		$seal_multisite_after[ $seal_multisite_site ] = seal_multisite_leftovers();
		$seal_multisite_after[ $seal_multisite_site ]['search_widget_kept'] = in_array( 'search-2', (array) get_option( 'sidebars_widgets' )['sidebar-1'], true );
		restore_current_blog();
	}
	echo wp_json_encode(
		array(
			'uninstalled' => $seal_multisite_uninstalled,
			'before'      => $seal_multisite_before,
			'after'       => $seal_multisite_after,
		)
	), "\n";
} else {
	fwrite( STDERR, "usage: php multisite.php network | uninstall\n" );
	exit( 2 );
}
