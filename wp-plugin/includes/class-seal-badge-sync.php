<?php
/**
 * Keeps the seal's status and a first-party badge copy fresh.
 *
 * @package Seal_Badge
 */

/**
 * Status sync: WP-Cron twice daily, on settings save and when poked over REST.
 */
class Seal_Badge_Sync {

	const CRON_ACTION    = 'seal_badge_sync';
	const LIVE_TRANSIENT = 'seal_badge_live_status';
	const POKE_LOCK      = 'seal_badge_poke_lock';
	const POKE_INTERVAL  = 60;
	const REST_NAMESPACE = 'seal-badge/v1';

	/**
	 * Hook the cron action, keep it scheduled, and add the refresh route.
	 */
	public static function register() {
		add_action( self::CRON_ACTION, array( __CLASS__, 'run' ) );
		add_action( 'init', array( __CLASS__, 'schedule' ) );
		add_action( 'rest_api_init', array( __CLASS__, 'register_routes' ) );
	}

	/**
	 * Schedule the twice-daily sync unless it already is.
	 */
	public static function schedule() {
		if ( ! wp_next_scheduled( self::CRON_ACTION ) ) {
			wp_schedule_event( time() + MINUTE_IN_SECONDS, 'twicedaily', self::CRON_ACTION );
		}
	}

	/**
	 * Remove every scheduled sync.
	 */
	public static function unschedule() {
		wp_clear_scheduled_hook( self::CRON_ACTION );
	}

	/**
	 * Fetch status and badge from the authority and store them.
	 *
	 * @return array|WP_Error The status now known, or why the authority could not be read.
	 */
	public static function run() {
		if ( ! Seal_Badge_Options::is_configured() ) {
			return new WP_Error( 'seal_badge_not_configured', __( 'No seal is configured yet.', 'seal-badge' ) );
		}
		$settings = Seal_Badge_Options::settings();
		$client   = new Seal_Badge_Client( $settings );
		$status   = $client->fetch_status();
		$now      = time();
		if ( is_wp_error( $status ) ) {
			$previous = get_option( Seal_Badge_Options::SYNC, array() );
			update_option(
				Seal_Badge_Options::SYNC,
				array(
					'ok'           => false,
					'checked_at'   => $now,
					'error'        => $status->get_error_message(),
					'last_success' => isset( $previous['last_success'] ) ? (int) $previous['last_success'] : 0,
				),
				false
			);
			delete_transient( self::LIVE_TRANSIENT );
			return $status;
		}
		$status['fetched_at'] = $now;
		update_option( Seal_Badge_Options::STATUS, $status, false );
		set_transient( self::LIVE_TRANSIENT, $status, 12 * HOUR_IN_SECONDS );
		update_option(
			Seal_Badge_Options::SYNC,
			array(
				'ok'           => true,
				'checked_at'   => $now,
				'error'        => '',
				'last_success' => $now,
			),
			false
		);
		$badge = 'invalid' === $status['status'] ? new WP_Error( 'seal_badge_invalid', '' ) : $client->fetch_badge();
		if ( is_wp_error( $badge ) ) {
			// A stale copy must not outlive a change of status: drop it so the neutral badge is shown.
			delete_option( Seal_Badge_Options::BADGE );
		} else {
			$badge['status']     = $status['status'];
			$badge['size']       = $settings['size'];
			$badge['lang']       = $settings['lang'];
			$badge['fetched_at'] = $now;
			update_option( Seal_Badge_Options::BADGE, $badge, false );
		}
		do_action( 'seal_badge_synced', $status );
		return $status;
	}

	/**
	 * The last status the authority gave, fresh from the transient when possible.
	 *
	 * @return array|null
	 */
	public static function status() {
		$live = get_transient( self::LIVE_TRANSIENT );
		if ( is_array( $live ) ) {
			return $live;
		}
		$stored = get_option( Seal_Badge_Options::STATUS );
		return is_array( $stored ) ? $stored : null;
	}

	/**
	 * True when the last attempt to reach the authority failed.
	 *
	 * @return bool
	 */
	public static function authority_unreachable() {
		$state = get_option( Seal_Badge_Options::SYNC );
		return is_array( $state ) && empty( $state['ok'] );
	}

	/**
	 * The status a visitor should be told, judged on this site's clock too.
	 *
	 * An "active" status stored long ago is "expired" once its expiry date has passed.
	 *
	 * @param array|null $status Stored status.
	 * @param int|null   $now    Unix time.
	 * @return string active, suspended, revoked, expired, invalid or unknown.
	 */
	public static function effective_status( $status, $now = null ) {
		if ( ! is_array( $status ) || empty( $status['status'] ) ) {
			return 'unknown';
		}
		$now = null === $now ? time() : $now;
		if ( 'active' === $status['status'] && isset( $status['expires_at'] ) && strtotime( $status['expires_at'] ) <= $now ) {
			return 'expired';
		}
		return $status['status'];
	}

	/**
	 * Whole days until expiry on this site's clock (0 once expired).
	 *
	 * @param array $status Stored status.
	 * @param int   $now    Unix time.
	 * @return int|null Null when the expiry is unknown.
	 */
	public static function days_left( $status, $now ) {
		if ( ! is_array( $status ) || empty( $status['expires_at'] ) || false === strtotime( $status['expires_at'] ) ) {
			return null;
		}
		return (int) max( 0, ceil( ( strtotime( $status['expires_at'] ) - $now ) / DAY_IN_SECONDS ) );
	}

	/**
	 * Add the refresh route the authority (or anyone) may poke.
	 */
	public static function register_routes() {
		register_rest_route(
			self::REST_NAMESPACE,
			'/refresh',
			array(
				'methods'             => 'POST',
				'callback'            => array( __CLASS__, 'rest_refresh' ),
				// Public on purpose: the request carries no data we use; we only re-read the configured authority.
				'permission_callback' => '__return_true',
			)
		);
	}

	/**
	 * Re-fetch the status now, at most once a minute.
	 *
	 * @return WP_REST_Response
	 */
	public static function rest_refresh() {
		if ( false !== get_transient( self::POKE_LOCK ) ) {
			return new WP_REST_Response( array( 'error' => 'rate_limited' ), 429, array( 'Retry-After' => (string) self::POKE_INTERVAL ) );
		}
		set_transient( self::POKE_LOCK, 1, self::POKE_INTERVAL );
		$status = self::run();
		if ( is_wp_error( $status ) ) {
			return new WP_REST_Response( array( 'error' => $status->get_error_code() ), 502 );
		}
		return new WP_REST_Response( array( 'status' => $status['status'] ), 200 );
	}
}
