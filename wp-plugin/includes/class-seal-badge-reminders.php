<?php
/**
 * Reminder emails before the seal expires.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Emails the site admin 30, 7 and 1 days before expiry, each once per expiry date.
 */
class Seal_Badge_Reminders {

	const DAYS = array( 30, 7, 1 );

	/**
	 * Check for due reminders after every sync.
	 */
	public static function register() {
		add_action( 'seal_badge_synced', array( __CLASS__, 'on_sync' ) );
	}

	/**
	 * Send what is due now.
	 *
	 * @param array $status The freshly synced status.
	 */
	public static function on_sync( $status ) {
		self::send_due( $status, time() );
	}

	/**
	 * The reminder (in days) due now and not sent yet for this expiry date, if any.
	 *
	 * @param array|null $status Status.
	 * @param int        $now    Unix time.
	 * @param array      $sent   Reminders already sent, by expiry date.
	 * @return int|null
	 */
	public static function due( $status, $now, array $sent ) {
		if ( 'active' !== Seal_Badge_Sync::effective_status( $status, $now ) ) {
			return null;
		}
		$days    = Seal_Badge_Sync::days_left( $status, $now );
		$already = isset( $sent[ $status['expires_at'] ] ) ? (array) $sent[ $status['expires_at'] ] : array();
		$due     = null;
		foreach ( self::DAYS as $threshold ) {
			if ( $days <= $threshold && ! in_array( $threshold, $already, true ) ) {
				$due = $threshold;
			}
		}
		return $due;
	}

	/**
	 * Send the due reminder, marking it and every earlier one as sent.
	 *
	 * @param array|null $status Status.
	 * @param int        $now    Unix time.
	 * @return int|null The reminder sent (days), or null.
	 */
	public static function send_due( $status, $now ) {
		$sent = get_option( Seal_Badge_Options::REMINDERS, array() );
		$sent = is_array( $sent ) ? $sent : array();
		$due  = self::due( $status, $now, $sent );
		if ( null === $due ) {
			return null;
		}
		$key          = $status['expires_at'];
		$sent         = array( $key => isset( $sent[ $key ] ) ? (array) $sent[ $key ] : array() );
		$sent[ $key ] = array_values( array_unique( array_merge( $sent[ $key ], array_filter( self::DAYS, static function ( $threshold ) use ( $due ) { return $threshold >= $due; } ) ) ) );
		// Marked before sending so two overlapping cron runs cannot both mail.
		update_option( Seal_Badge_Options::REMINDERS, $sent, false );
		$days = Seal_Badge_Sync::days_left( $status, $now );
		/* translators: %s: site name. */
		$subject = sprintf( __( '[%s] Your trust seal expires soon', 'seal-badge' ), wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES ) );
		$body    = sprintf(
			/* translators: 1: domain, 2: number of days, 3: expiry date, 4: verification page address. */
			_n( "The trust seal of %1\$s expires in %2\$s day, on %3\$s.\n\nRenew it with the authority so visitors keep seeing a valid badge.\n\nVerification page: %4\$s\n", "The trust seal of %1\$s expires in %2\$s days, on %3\$s.\n\nRenew it with the authority so visitors keep seeing a valid badge.\n\nVerification page: %4\$s\n", $days, 'seal-badge' ),
			$status['domain'],
			Seal_Badge_Format::number( $days ),
			Seal_Badge_Format::date( $status['expires_at'] ),
			$status['verify_url']
		);
		if ( Seal_Badge_Options::is_configured() ) {
			/* translators: %s: the seal's renewal page at the authority. */
			$body .= sprintf( __( 'Renew now: %s', 'seal-badge' ), ( new Seal_Badge_Client( Seal_Badge_Options::settings() ) )->renew_url() ) . "\n";
		}
		wp_mail( get_option( 'admin_email' ), $subject, $body );
		return $due;
	}
}
