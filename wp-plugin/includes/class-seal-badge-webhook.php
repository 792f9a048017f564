<?php
/**
 * Receives the authority's signed webhooks and refreshes the status at once.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The webhook endpoint: Seal-Signature checked, replays refused, each event handled once.
 */
class Seal_Badge_Webhook {

	const ROUTE = '/webhook';

	/** Signatures older (or further in the future) than this are refused as replays. */
	const TOLERANCE = 300;

	/** Event ids are remembered this long: past it, their signature time is refused anyway. */
	const REMEMBER = 900;

	const MAX_REMEMBERED = 200;
	const MAX_BODY       = 65536;

	/**
	 * Add the route.
	 */
	public static function register() {
		add_action( 'rest_api_init', array( __CLASS__, 'register_routes' ) );
	}

	/**
	 * Add the webhook route.
	 */
	public static function register_routes() {
		register_rest_route(
			Seal_Badge_Sync::REST_NAMESPACE,
			self::ROUTE,
			array(
				'methods'             => 'POST',
				'callback'            => array( __CLASS__, 'receive' ),
				// Public on purpose: the authority calls it; the HMAC signature is checked in the callback.
				'permission_callback' => '__return_true',
			)
		);
	}

	/**
	 * The address to register in the authority's panel.
	 *
	 * @return string
	 */
	public static function url() {
		return Seal_Badge_Render::route_url( Seal_Badge_Sync::REST_NAMESPACE . self::ROUTE );
	}

	/**
	 * Check a Seal-Signature header: `t=<unix>,v1=<hex>[,v1=<hex>]` over "<t>.<raw body>".
	 *
	 * @param string $header Seal-Signature header.
	 * @param string $body   Raw request body.
	 * @param string $secret The secret the owner pasted.
	 * @param int    $now    Unix time.
	 * @return true|WP_Error
	 */
	public static function check_signature( $header, $body, $secret, $now ) {
		$timestamp  = null;
		$signatures = array();
		foreach ( explode( ',', (string) $header ) as $part ) {
			$pair = explode( '=', trim( $part ), 2 );
			if ( 2 !== count( $pair ) ) {
				continue;
			}
			if ( 't' === $pair[0] && ctype_digit( $pair[1] ) ) {
				$timestamp = (int) $pair[1];
			} elseif ( 'v1' === $pair[0] && preg_match( '/^[0-9a-f]{64}$/', $pair[1] ) ) {
				$signatures[] = $pair[1];
			}
		}
		if ( null === $timestamp || ! $signatures ) {
			return new WP_Error( 'seal_badge_webhook_signature', 'missing or malformed Seal-Signature header', array( 'status' => 400 ) );
		}
		if ( abs( $now - $timestamp ) > self::TOLERANCE ) {
			return new WP_Error( 'seal_badge_webhook_stale', 'signature time is more than 5 minutes away', array( 'status' => 400 ) );
		}
		$expected = hash_hmac( 'sha256', $timestamp . '.' . $body, $secret );
		foreach ( $signatures as $signature ) {
			if ( hash_equals( $expected, $signature ) ) {
				return true;
			}
		}
		return new WP_Error( 'seal_badge_webhook_signature', 'signature does not match', array( 'status' => 401 ) );
	}

	/**
	 * Remember an event id; false when it was seen already.
	 *
	 * @param string $event_id Seal-Event-Id.
	 * @param int    $now      Unix time.
	 * @return bool
	 */
	public static function first_time( $event_id, $now ) {
		$seen = get_option( Seal_Badge_Options::EVENTS, array() );
		$seen = is_array( $seen ) ? $seen : array();
		foreach ( $seen as $id => $when ) {
			if ( (int) $when < $now - self::REMEMBER ) {
				unset( $seen[ $id ] );
			}
		}
		if ( isset( $seen[ $event_id ] ) ) {
			return false;
		}
		$seen[ $event_id ] = $now;
		if ( count( $seen ) > self::MAX_REMEMBERED ) {
			asort( $seen );
			$seen = array_slice( $seen, -self::MAX_REMEMBERED, null, true );
		}
		update_option( Seal_Badge_Options::EVENTS, $seen, false );
		return true;
	}

	/**
	 * The seal moved to a new domain and got a new code (`data.details.code`): keep it when the signed status
	 * answers for it, so the badge keeps working without pasting the snippet again. A code the status does not
	 * confirm is dropped and the old one kept.
	 *
	 * @param array $event    The signed event.
	 * @param array $settings The saved settings.
	 * @return array|WP_Error The status, as Seal_Badge_Sync::run() gives it.
	 */
	public static function take_new_code( array $event, array $settings ) {
		$code = isset( $event['data']['details']['code'] ) ? $event['data']['details']['code'] : null;
		if ( ! is_string( $code ) || ! preg_match( '/^' . Seal_Badge_Options::CODE_PATTERN . '$/', $code ) || $code === $settings['code'] ) {
			return Seal_Badge_Sync::run();
		}
		update_option( Seal_Badge_Options::SETTINGS, array_merge( $settings, array( 'code' => $code ) ) );
		$status = Seal_Badge_Sync::run();
		if ( is_wp_error( $status ) || 'invalid' === $status['status'] ) {
			update_option( Seal_Badge_Options::SETTINGS, $settings );
			return Seal_Badge_Sync::run();
		}
		return $status;
	}

	/**
	 * The REST callback.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response
	 */
	public static function receive( WP_REST_Request $request ) {
		$settings = Seal_Badge_Options::settings();
		if ( '' === $settings['webhook_secret'] ) {
			return new WP_REST_Response( array( 'error' => 'webhook_not_configured' ), 403 );
		}
		$body = (string) $request->get_body();
		if ( strlen( $body ) > self::MAX_BODY ) {
			return new WP_REST_Response( array( 'error' => 'too_large' ), 413 );
		}
		$now     = time();
		$checked = self::check_signature( (string) $request->get_header( 'seal_signature' ), $body, $settings['webhook_secret'], $now );
		if ( is_wp_error( $checked ) ) {
			$data = $checked->get_error_data();
			return new WP_REST_Response( array( 'error' => $checked->get_error_code() ), $data['status'] );
		}
		$event    = json_decode( $body, true );
		$event_id = (string) $request->get_header( 'seal_event_id' );
		if ( '' === $event_id && is_array( $event ) && isset( $event['id'] ) && is_scalar( $event['id'] ) ) {
			$event_id = (string) $event['id'];
		}
		if ( ! is_array( $event ) || ! isset( $event['type'] ) || ! is_string( $event['type'] ) || '' === $event_id || strlen( $event_id ) > 200 ) {
			return new WP_REST_Response( array( 'error' => 'bad_event' ), 400 );
		}
		if ( ! self::first_time( $event_id, $now ) ) {
			return new WP_REST_Response( array( 'duplicate' => true ), 200 );
		}
		$about = isset( $event['data']['id'] ) && is_string( $event['data']['id'] ) ? $event['data']['id'] : $settings['seal_id'];
		if ( 0 !== strpos( $event['type'], 'seal.' ) || $about !== $settings['seal_id'] ) {
			return new WP_REST_Response( array( 'received' => true ), 200 );
		}
		// Nothing in the event is trusted as status: it only says "ask again"; the signed status decides.
		$status = 'seal.domain_changed' === $event['type'] ? self::take_new_code( $event, $settings ) : Seal_Badge_Sync::run();
		return new WP_REST_Response(
			array(
				'received' => true,
				'status'   => is_wp_error( $status ) ? null : $status['status'],
			),
			200
		);
	}
}
