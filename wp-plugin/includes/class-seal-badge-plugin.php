<?php
/**
 * Wires every concern of the plugin and handles activation.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The plugin's entry point.
 */
class Seal_Badge_Plugin {

	/**
	 * Hook every concern into WordPress.
	 */
	public static function register() {
		// Priority 0: before wp_widgets_init (init, 1) builds the widget with its translated name.
		add_action( 'init', array( __CLASS__, 'load_textdomain' ), 0 );
		add_action( 'admin_init', array( __CLASS__, 'privacy_policy' ) );
		// WordPress 6.1 does not reload a plugin's own languages/ folder after switch_to_locale().
		add_action( 'change_locale', array( __CLASS__, 'load_textdomain' ) );
		Seal_Badge_Sync::register();
		Seal_Badge_Render::register();
		Seal_Badge_Webhook::register();
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
	 * Suggest text for the site's privacy policy (Settings → Privacy).
	 */
	public static function privacy_policy() {
		if ( ! function_exists( 'wp_add_privacy_policy_content' ) ) {
			return;
		}
		$server = Seal_Badge_Options::settings()['server_url'];
		$text   = '<p>' . esc_html__( 'Pages of this site show an e-commerce trust seal loaded from the seal authority. When a page is shown, your browser asks the authority for the seal image, which sends the authority your IP address, your browser\'s user agent and the address of this site (the Referer), so it can tell whether the seal is shown on the site it was issued to. Clicking the seal opens the authority\'s verification page. This site sets no cookie for the seal.', 'seal-badge' ) . '</p>';
		if ( '' !== $server ) {
			/* translators: %s: the seal authority's address. */
			$text .= '<p>' . esc_html( sprintf( __( 'Seal authority: %s', 'seal-badge' ), $server ) ) . '</p>';
		}
		wp_add_privacy_policy_content( __( 'Trust seal', 'seal-badge' ), wp_kses_post( $text ) );
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
