<?php
/**
 * Wires every concern of the plugin and handles activation.
 *
 * @package Seal_Badge
 */

/**
 * The plugin's entry point.
 */
class Seal_Badge_Plugin {

	/**
	 * Hook every concern into WordPress.
	 */
	public static function register() {
		add_action( 'init', array( __CLASS__, 'load_textdomain' ), 1 );
		// WordPress 6.1 does not reload a plugin's own languages/ folder after switch_to_locale().
		add_action( 'change_locale', array( __CLASS__, 'load_textdomain' ) );
		Seal_Badge_Sync::register();
		Seal_Badge_Render::register();
		Seal_Badge_Widget::register();
		Seal_Badge_Settings::register();
		Seal_Badge_Notices::register();
		Seal_Badge_Reminders::register();
		Seal_Badge_WooCommerce::register();
	}

	/**
	 * Load the plugin's translations (Persian ships with it).
	 */
	public static function load_textdomain() {
		load_plugin_textdomain( 'seal-badge', false, dirname( plugin_basename( SEAL_BADGE_FILE ) ) . '/languages' );
	}

	/**
	 * Create the settings with defaults and schedule the status sync.
	 */
	public static function activate() {
		add_option( Seal_Badge_Options::SETTINGS, Seal_Badge_Options::defaults() );
		Seal_Badge_Sync::schedule();
	}

	/**
	 * Stop the status sync; settings stay until the plugin is deleted.
	 */
	public static function deactivate() {
		Seal_Badge_Sync::unschedule();
	}
}
