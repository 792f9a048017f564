<?php
/**
 * The plugin's stored settings and state, and the rules for valid input.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Option names, defaults, validation and snippet parsing.
 */
class Seal_Badge_Options {

	const SETTINGS  = 'seal_badge_settings';
	const STATUS    = 'seal_badge_status';
	const BADGE     = 'seal_badge_svg';
	const SYNC      = 'seal_badge_sync_state';
	const REMINDERS = 'seal_badge_reminders_sent';
	const KEYS      = 'seal_badge_status_keys';
	const ROUTE     = 'seal_badge_route_mode';
	const EVENTS    = 'seal_badge_webhook_events';
	const WIDGET    = 'widget_seal_badge';

	/** Every option the plugin creates; uninstall.php walks this list. */
	const ALL = array( self::SETTINGS, self::STATUS, self::BADGE, self::SYNC, self::REMINDERS, self::KEYS, self::ROUTE, self::EVENTS, self::WIDGET );

	/** Prefix of every transient the plugin creates. */
	const TRANSIENT_PREFIX = 'seal_badge_';

	const SIZES     = array(
		'small'  => array( 96, 120 ),
		'medium' => array( 128, 160 ),
		'large'  => array( 160, 200 ),
	);
	const LANGUAGES = array( 'fa', 'en' );

	/** The authority's public seal ids: 12 characters with no l, o, 0 or 1. */
	const ID_PATTERN   = '[a-km-np-z2-9]{12}';
	const CODE_PATTERN = '[A-Za-z0-9_-]{16,128}';

	/**
	 * Settings when nothing is saved yet.
	 *
	 * @return array
	 */
	public static function defaults() {
		return array(
			'server_url'      => '',
			'seal_id'         => '',
			'code'            => '',
			'footer'          => true,
			'size'            => 'medium',
			'lang'            => 'fa',
			'front_page_only' => false,
			'hide_on_mobile'  => false,
			'webhook_secret'  => '',
		);
	}

	/**
	 * The saved settings merged over the defaults.
	 *
	 * @return array
	 */
	public static function settings() {
		$saved = get_option( self::SETTINGS, array() );
		return array_merge( self::defaults(), is_array( $saved ) ? $saved : array() );
	}

	/**
	 * True when a server, seal id and code are set.
	 *
	 * @return bool
	 */
	public static function is_configured() {
		$settings = self::settings();
		return '' !== $settings['server_url'] && '' !== $settings['seal_id'] && '' !== $settings['code'];
	}

	/**
	 * Server URL, seal id and code found in a pasted snippet or verification/badge URL.
	 *
	 * @param string $snippet What the owner pasted.
	 * @return array|null Keys server_url, seal_id, code; null when nothing matches.
	 */
	public static function parse_snippet( $snippet ) {
		$text    = html_entity_decode( (string) $snippet, ENT_QUOTES | ENT_HTML5, 'UTF-8' );
		$pattern = '~(https?://[^\s"\'<>?#]+?)/(?:verify/(' . self::ID_PATTERN . ')|badge/(' . self::ID_PATTERN . ')\.svg)\?(?:[^"\'\s<>#]*&)?code=(' . self::CODE_PATTERN . ')~';
		if ( ! preg_match( $pattern, $text, $match ) ) {
			return null;
		}
		return array(
			'server_url' => $match[1],
			'seal_id'    => '' !== $match[2] ? $match[2] : $match[3],
			'code'       => $match[4],
		);
	}

	/**
	 * True for host names that only make sense on a test or home network.
	 *
	 * @param string $host Host name.
	 * @return bool
	 */
	public static function is_loopback_host( $host ) {
		return in_array( strtolower( $host ), array( 'localhost', '127.0.0.1', '[::1]', '::1' ), true );
	}

	/**
	 * A clean server URL, or a WP_Error that says what is wrong.
	 *
	 * @param string $url The authority's base URL.
	 * @return string|WP_Error
	 */
	public static function clean_server_url( $url ) {
		$url   = untrailingslashit( trim( (string) $url ) );
		$parts = wp_parse_url( $url );
		if ( '' === $url || ! is_array( $parts ) || empty( $parts['scheme'] ) || empty( $parts['host'] ) ) {
			return new WP_Error( 'seal_badge_server_url', __( 'The seal server address must be a full address such as https://enamad.example.ir.', 'seal-badge' ) );
		}
		$scheme = strtolower( $parts['scheme'] );
		if ( isset( $parts['user'] ) || isset( $parts['pass'] ) || isset( $parts['query'] ) || isset( $parts['fragment'] ) ) {
			return new WP_Error( 'seal_badge_server_url', __( 'The seal server address must not contain a user name, a query or a fragment.', 'seal-badge' ) );
		}
		if ( 'https' !== $scheme && ! ( 'http' === $scheme && self::is_loopback_host( $parts['host'] ) ) ) {
			return new WP_Error( 'seal_badge_server_url', __( 'The seal server address must start with https:// (plain http is accepted only for localhost).', 'seal-badge' ) );
		}
		return esc_url_raw( $url, array( 'http', 'https' ) );
	}

	/**
	 * A webhook secret as pasted: trimmed; printable ASCII of 16 to 200 characters.
	 *
	 * @param string $secret Pasted secret.
	 * @return string|WP_Error
	 */
	public static function clean_webhook_secret( $secret ) {
		$secret = trim( (string) $secret );
		if ( ! preg_match( '/^[\x21-\x7e]{16,200}$/', $secret ) ) {
			return new WP_Error( 'seal_badge_webhook_secret', __( 'The webhook secret is the long code the authority showed when you added this site\'s webhook address; paste it whole.', 'seal-badge' ) );
		}
		return $secret;
	}

	/**
	 * Validate submitted settings.
	 *
	 * An empty webhook secret keeps the saved one (the form never shows it back).
	 *
	 * @param array $input Unslashed form input.
	 * @return array Keys settings (clean values, or the typed ones when invalid) and errors (list of messages).
	 */
	public static function sanitize( array $input ) {
		$errors   = array();
		$snippet  = isset( $input['snippet'] ) ? trim( (string) $input['snippet'] ) : '';
		$settings = array(
			'server_url'      => isset( $input['server_url'] ) ? sanitize_text_field( $input['server_url'] ) : '',
			'seal_id'         => isset( $input['seal_id'] ) ? strtolower( sanitize_text_field( $input['seal_id'] ) ) : '',
			'code'            => isset( $input['code'] ) ? sanitize_text_field( $input['code'] ) : '',
			'footer'          => ! empty( $input['footer'] ),
			'size'            => isset( $input['size'] ) ? sanitize_key( $input['size'] ) : 'medium',
			'lang'            => isset( $input['lang'] ) ? sanitize_key( $input['lang'] ) : 'fa',
			'front_page_only' => ! empty( $input['front_page_only'] ),
			'hide_on_mobile'  => ! empty( $input['hide_on_mobile'] ),
			'webhook_secret'  => self::settings()['webhook_secret'],
		);
		$secret = isset( $input['webhook_secret'] ) ? trim( (string) $input['webhook_secret'] ) : '';
		if ( ! empty( $input['forget_webhook_secret'] ) ) {
			$settings['webhook_secret'] = '';
		} elseif ( '' !== $secret ) {
			$secret = self::clean_webhook_secret( $secret );
			if ( is_wp_error( $secret ) ) {
				$errors[] = $secret->get_error_message();
			} else {
				$settings['webhook_secret'] = $secret;
			}
		}
		if ( '' !== $snippet ) {
			$found = self::parse_snippet( $snippet );
			if ( null === $found ) {
				$errors[] = __( 'No seal was found in the pasted snippet. Paste the whole code the authority gave you, or fill in the fields below.', 'seal-badge' );
			} else {
				$settings = array_merge( $settings, $found );
			}
		}
		$url = self::clean_server_url( $settings['server_url'] );
		if ( is_wp_error( $url ) ) {
			$errors[] = $url->get_error_message();
		} else {
			$settings['server_url'] = $url;
		}
		if ( ! preg_match( '/^' . self::ID_PATTERN . '$/', $settings['seal_id'] ) ) {
			$errors[] = __( 'The seal id is 12 letters and digits, as in the verification address (…/verify/ID).', 'seal-badge' );
		}
		if ( ! preg_match( '/^' . self::CODE_PATTERN . '$/', $settings['code'] ) ) {
			$errors[] = __( 'The seal code is the part after code= in the verification address.', 'seal-badge' );
		}
		if ( ! isset( self::SIZES[ $settings['size'] ] ) ) {
			$errors[] = __( 'Choose a badge size from the list.', 'seal-badge' );
		}
		if ( ! in_array( $settings['lang'], self::LANGUAGES, true ) ) {
			$errors[] = __( 'Choose a badge language from the list.', 'seal-badge' );
		}
		return array(
			'settings' => $settings,
			'errors'   => array_unique( $errors ),
		);
	}

	/**
	 * Delete everything the plugin stored on the current site (uninstall.php runs it per site).
	 */
	public static function delete_site_data() {
		global $wpdb;
		foreach ( self::ALL as $option ) {
			delete_option( $option );
		}
		// Our widgets' ids in every sidebar, so no dangling seal_badge-N stays behind.
		$sidebars = get_option( 'sidebars_widgets' );
		if ( is_array( $sidebars ) ) {
			foreach ( $sidebars as $sidebar => $widgets ) {
				if ( is_array( $widgets ) ) {
					$sidebars[ $sidebar ] = array_values(
						array_filter(
							$widgets,
							static function ( $widget ) {
								return ! preg_match( '/^seal_badge-\d+$/', (string) $widget );
							}
						)
					);
				}
			}
			update_option( 'sidebars_widgets', $sidebars );
		}
		// Known names first: with a persistent object cache, transients never reach the options table.
		foreach ( array( 'seal_badge_live_status', 'seal_badge_poke_lock' ) as $transient ) {
			delete_transient( $transient );
		}
		// Per-user form, test and route transients have ids in their names, so they are found by prefix.
		$like  = $wpdb->esc_like( '_transient_' . self::TRANSIENT_PREFIX ) . '%';
		$names = $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s", $like ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- no API lists transients by prefix; runs once on uninstall.
		foreach ( $names as $name ) {
			delete_transient( substr( $name, strlen( '_transient_' ) ) );
		}
		wp_clear_scheduled_hook( 'seal_badge_sync' );
		wp_clear_scheduled_hook( 'seal_badge_sync_retry' );
	}
}
