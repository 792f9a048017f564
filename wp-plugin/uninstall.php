<?php
/**
 * Removes every option, transient, widget and scheduled event the plugin created, on every site.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

require_once __DIR__ . '/includes/class-seal-badge-options.php';

if ( is_multisite() ) {
	// Network-activated or not, any site of the network may hold the plugin's data.
	foreach ( get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	) as $seal_badge_site ) {
		switch_to_blog( $seal_badge_site );
		Seal_Badge_Options::delete_site_data();
		restore_current_blog();
	}
} else {
	Seal_Badge_Options::delete_site_data();
}
