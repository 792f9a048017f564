<?php
/**
 * Keeps the seal's status and a first-party badge copy fresh.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Status sync: WP-Cron twice daily, retries after a failure, on settings save, on webhooks and REST pokes.
 */
class Seal_Badge_Sync {

	const CRON_ACTION    = 'seal_badge_sync';
	const RETRY_ACTION   = 'seal_badge_sync_retry';
	/** Seconds to wait before retrying after the 1st, 2nd and 3rd failure in a row; then the schedule. */
	const RETRY_DELAYS   = array( 300, 900, 3600 );
	const LIVE_TRANSIENT = 'seal_badge_live_status';
	const POKE_LOCK      = 'seal_badge_poke_lock';
	const POKE_INTERVAL  = 60;
	const REST_NAMESPACE = 'seal-badge/v1';

	/**
	 * Hook the cron action, keep it scheduled, and add the refresh route.
	 */
	public static function register() {
		add_action( self::CRON_ACTION, array( __CLASS__, 'run' ) );
		add_action( self::RETRY_ACTION, array( __CLASS__, 'run' ) );
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
		wp_clear_scheduled_hook( self::RETRY_ACTION );
	}

	/**
	 * Seconds until the retry after this many failures in a row, or null to wait for the schedule.
	 *
	 * @param int $failures Failures in a row.
	 * @return int|null
	 */
	public static function retry_delay( $failures ) {
		return $failures >= 1 && $failures <= count( self::RETRY_DELAYS ) ? self::RETRY_DELAYS[ $failures - 1 ] : null;
	}

	/**
	 * Fetch the signed status, the descriptive fields and the badge copies, and store them.
	 *
	 * @return array|WP_Error The status now known, or why the authority could not be read.
	 */
	public static function run() {
		if ( ! Seal_Badge_Options::is_configured() ) {
			return new WP_Error( 'seal_badge_not_configured', __( 'No seal is configured yet.', 'seal-badge' ) );
		}
		$settings = Seal_Badge_Options::settings();
		$client   = new Seal_Badge_Client( $settings );
		$now      = time();
		$status   = $client->fetch_status();
		if ( ! is_wp_error( $status ) && 'invalid' !== $status['status'] ) {
			$status = self::signed( $client, $status, $settings['seal_id'], $now );
		}
		if ( is_wp_error( $status ) ) {
			return self::failed( $status, $now );
		}
		$status['fetched_at'] = $now;
		update_option( Seal_Badge_Options::STATUS, $status, false );
		$fresh_for = isset( $status['valid_until'] ) ? $status['valid_until'] - $now : 12 * HOUR_IN_SECONDS;
		set_transient( self::LIVE_TRANSIENT, $status, max( MINUTE_IN_SECONDS, min( 12 * HOUR_IN_SECONDS, $fresh_for ) ) );
		update_option(
			Seal_Badge_Options::SYNC,
			array(
				'ok'           => true,
				'checked_at'   => $now,
				'error'        => '',
				'last_success' => $now,
				'failures'     => 0,
			),
			false
		);
		wp_clear_scheduled_hook( self::RETRY_ACTION );
		self::store_badges( $client, $status, $now );
		do_action( 'seal_badge_synced', $status );
		return $status;
	}

	/**
	 * The API's descriptive fields with every status field replaced by the verified signed ones.
	 *
	 * The key set is kept in an option and fetched again once when the token names a key it lacks.
	 *
	 * @param Seal_Badge_Client $client  Client.
	 * @param array             $status  Validated API status (names, links).
	 * @param string            $seal_id Configured seal id.
	 * @param int               $now     Unix time.
	 * @return array|WP_Error
	 */
	private static function signed( Seal_Badge_Client $client, array $status, $seal_id, $now ) {
		$token = $client->fetch_signed_status();
		if ( is_wp_error( $token ) ) {
			return $token;
		}
		$parsed = Seal_Badge_Signature::parse( $token );
		if ( is_wp_error( $parsed ) ) {
			return $parsed;
		}
		$keys = get_option( Seal_Badge_Options::KEYS );
		if ( ! Seal_Badge_Signature::knows( $keys, $parsed['header']['kid'] ) ) {
			$keys = $client->fetch_keys();
			if ( is_wp_error( $keys ) ) {
				return $keys;
			}
			update_option( Seal_Badge_Options::KEYS, $keys, false );
		}
		$claims = Seal_Badge_Signature::verify( $token, $keys, $seal_id, $now );
		if ( is_wp_error( $claims ) ) {
			return $claims;
		}
		foreach ( array( 'domain', 'status', 'kind', 'expires_at' ) as $field ) {
			$status[ $field ] = sanitize_text_field( $claims[ $field ] );
		}
		$status['stars']       = min( 5, max( 0, $claims['stars'] ) );
		$status['record']      = array_map( 'absint', array_intersect_key( $claims['record'], array_flip( Seal_Badge_Signature::RECORD_FIELDS ) ) );
		$status['signed_at']   = $claims['iat'];
		$status['valid_until'] = $claims['exp'];
		return $status;
	}

	/**
	 * Record a failed sync and schedule the next retry.
	 *
	 * @param WP_Error $error Why the sync failed.
	 * @param int      $now   Unix time.
	 * @return WP_Error The same error.
	 */
	private static function failed( WP_Error $error, $now ) {
		$previous = get_option( Seal_Badge_Options::SYNC, array() );
		$previous = is_array( $previous ) ? $previous : array();
		$failures = ( isset( $previous['failures'] ) ? (int) $previous['failures'] : 0 ) + 1;
		update_option(
			Seal_Badge_Options::SYNC,
			array(
				'ok'           => false,
				'checked_at'   => $now,
				'error'        => $error->get_error_message(),
				'last_success' => isset( $previous['last_success'] ) ? (int) $previous['last_success'] : 0,
				'failures'     => $failures,
			),
			false
		);
		delete_transient( self::LIVE_TRANSIENT );
		wp_clear_scheduled_hook( self::RETRY_ACTION );
		$delay = self::retry_delay( $failures );
		if ( null !== $delay ) {
			wp_schedule_single_event( $now + $delay, self::RETRY_ACTION );
		}
		return $error;
	}

	/**
	 * True when a badge's X-Seal-State tells what the signed status says.
	 *
	 * The authority caches badges for a few seconds; a copy drawn before a change of status
	 * must not be kept under the new status.
	 *
	 * @param string $state  The badge's X-Seal-State.
	 * @param string $status The signed status.
	 * @return bool
	 */
	public static function badge_agrees( $state, $status ) {
		return 'active' === $status ? 'valid' === $state : $state === $status;
	}

	/**
	 * Keep a copy of the badge in every size and language, as this site's visitors see it.
	 *
	 * @param Seal_Badge_Client $client Client.
	 * @param array             $status The status just stored.
	 * @param int               $now    Unix time.
	 */
	private static function store_badges( Seal_Badge_Client $client, array $status, $now ) {
		$copies = array();
		if ( 'invalid' !== $status['status'] ) {
			foreach ( array_keys( Seal_Badge_Options::SIZES ) as $size ) {
				foreach ( Seal_Badge_Options::LANGUAGES as $lang ) {
					$badge = $client->fetch_badge( $size, $lang );
					if ( is_wp_error( $badge ) || ! self::badge_agrees( $badge['state'], $status['status'] ) ) {
						// A stale copy must not outlive a change of status: keep none, the neutral badge is drawn.
						$copies = array();
						break 2;
					}
					$badge['status']               = $status['status'];
					$badge['fetched_at']           = $now;
					$copies[ $size . '-' . $lang ] = $badge;
				}
			}
		}
		if ( $copies ) {
			update_option( Seal_Badge_Options::BADGE, $copies, false );
		} else {
			delete_option( Seal_Badge_Options::BADGE );
		}
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
	 * The status the site may show as its own, on this site's clock.
	 *
	 * Only a status whose signature verified, and only until its `exp`: after that (or for a
	 * status that was never signed) nobody can say, and the answer is "unknown".
	 *
	 * @param array|null $status Stored status.
	 * @param int|null   $now    Unix time.
	 * @return string active, suspended, revoked, expired, invalid or unknown.
	 */
	public static function trusted_status( $status, $now = null ) {
		$now = null === $now ? time() : $now;
		if ( is_array( $status ) && isset( $status['status'] ) && 'invalid' === $status['status'] ) {
			return 'invalid';
		}
		if ( ! is_array( $status ) || empty( $status['valid_until'] ) || (int) $status['valid_until'] <= $now ) {
			return 'unknown';
		}
		return self::effective_status( $status, $now );
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
