<?php
/**
 * Admin notices and the dashboard widget.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Tells the site's administrators what the authority says about their seal.
 */
class Seal_Badge_Notices {

	const EXPIRY_WARNING_DAYS = 30;
	const ANSWER_HOURS        = 72;

	/**
	 * Hook the notices and the dashboard widget.
	 */
	public static function register() {
		add_action( 'admin_notices', array( __CLASS__, 'print_notices' ) );
		add_action( 'wp_dashboard_setup', array( __CLASS__, 'add_dashboard_widget' ) );
	}

	/**
	 * What an administrator should be told about this status.
	 *
	 * @param array|null  $status    Stored status.
	 * @param int         $now       Unix time.
	 * @param string|null $site_host This site's host name; null skips the domain check.
	 * @return array[] Each with type (error|warning|info) and text.
	 */
	public static function messages( $status, $now, $site_host = null ) {
		if ( ! is_array( $status ) ) {
			return array();
		}
		$messages = array();
		if ( null !== $site_host && ! empty( $status['domain'] ) ) {
			$host = strtolower( $site_host );
			if ( $host !== $status['domain'] && 'www.' . $status['domain'] !== $host ) {
				$messages[] = array(
					'type' => 'error',
					/* translators: 1: the seal's registered domain, 2: this site's host name. */
					'text' => sprintf( __( 'This seal is registered for %1$s, but this site is %2$s: visitors are told the seal is not this site\'s. Paste the snippet of this site\'s own seal.', 'seal-badge' ), $status['domain'], $host ),
				);
			}
		}
		$effective = Seal_Badge_Sync::effective_status( $status, $now );
		$days      = Seal_Badge_Sync::days_left( $status, $now );
		if ( 'expired' === $effective ) {
			$messages[] = array(
				'type'  => 'error',
				/* translators: %s: expiry date. */
				'text'  => sprintf( __( 'Your trust seal expired on %s. Visitors now see an expired badge; renew it with the authority.', 'seal-badge' ), Seal_Badge_Format::date( $status['expires_at'] ) ),
				'renew' => true,
			);
		} elseif ( 'suspended' === $effective ) {
			$messages[] = array(
				'type' => 'error',
				'text' => __( 'Your trust seal is suspended. Visitors see a suspended badge until the authority reinstates it; check your panel on the authority for the reason.', 'seal-badge' ),
			);
		} elseif ( 'revoked' === $effective ) {
			$messages[] = array(
				'type' => 'error',
				'text' => __( 'Your trust seal has been revoked by the authority.', 'seal-badge' ),
			);
		} elseif ( 'invalid' === $effective ) {
			$messages[] = array(
				'type' => 'error',
				'text' => __( 'The authority does not recognise the configured seal id and code. Paste the snippet again in the trust seal settings.', 'seal-badge' ),
			);
		} elseif ( 'active' === $effective && null !== $days && $days <= self::EXPIRY_WARNING_DAYS ) {
			$messages[] = array(
				'type'  => 'warning',
				/* translators: 1: number of days, 2: expiry date. */
				'text'  => sprintf( _n( 'Your trust seal expires in %1$s day, on %2$s. Renew it before then.', 'Your trust seal expires in %1$s days, on %2$s. Renew it before then.', $days, 'seal-badge' ), Seal_Badge_Format::number( $days ), Seal_Badge_Format::date( $status['expires_at'] ) ),
				'renew' => true,
			);
		}
		$open = isset( $status['record']['complaints_open'] ) ? (int) $status['record']['complaints_open'] : 0;
		if ( $open > 0 ) {
			$messages[] = array(
				'type' => 'warning',
				/* translators: 1: number of complaints, 2: number of hours. */
				'text' => sprintf( _n( 'A buyer complaint is open. Answer it on the authority within %2$s hours of notice; each missed deadline adds a non-response to your public record, and five suspend the seal.', '%1$s buyer complaints are open. Answer them on the authority within %2$s hours of notice; each missed deadline adds a non-response to your public record, and five suspend the seal.', $open, 'seal-badge' ), Seal_Badge_Format::number( $open ), Seal_Badge_Format::number( self::ANSWER_HOURS ) ),
			);
		}
		$nonconformities = isset( $status['record']['nonconformities_open'] ) ? (int) $status['record']['nonconformities_open'] : 0;
		if ( $nonconformities > 0 ) {
			$messages[] = array(
				'type' => 'warning',
				/* translators: %s: number of non-conformities. */
				'text' => sprintf( _n( '%s non-conformity is open on your public record; fix it and answer the authority.', '%s non-conformities are open on your public record; fix them and answer the authority.', $nonconformities, 'seal-badge' ), Seal_Badge_Format::number( $nonconformities ) ),
			);
		}
		return $messages;
	}

	/**
	 * Print the notices for administrators.
	 */
	public static function print_notices() {
		if ( ! current_user_can( Seal_Badge_Settings::CAPABILITY ) ) {
			return;
		}
		foreach ( self::messages( Seal_Badge_Sync::status(), time(), (string) wp_parse_url( home_url(), PHP_URL_HOST ) ) as $message ) {
			$link = sprintf( '<a href="%s">%s</a>', esc_url( Seal_Badge_Settings::url() ), esc_html__( 'Trust seal settings', 'seal-badge' ) );
			if ( ! empty( $message['renew'] ) && Seal_Badge_Options::is_configured() ) {
				$renew = ( new Seal_Badge_Client( Seal_Badge_Options::settings() ) )->renew_url();
				$link  = sprintf( '<a class="seal-badge-renew" href="%s" target="_blank" rel="noopener">%s</a> | %s', esc_url( $renew ), esc_html__( 'Renew the seal', 'seal-badge' ), $link );
			}
			printf(
				'<div class="notice notice-%1$s seal-badge-notice"><p>%2$s %3$s</p></div>',
				esc_attr( $message['type'] ),
				esc_html( $message['text'] ),
				$link // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built above from esc_url() and esc_html__().
			);
		}
	}

	/**
	 * Add the dashboard widget for administrators.
	 */
	public static function add_dashboard_widget() {
		if ( current_user_can( Seal_Badge_Settings::CAPABILITY ) ) {
			wp_add_dashboard_widget( 'seal_badge_dashboard', __( 'Trust seal', 'seal-badge' ), array( __CLASS__, 'dashboard_widget' ) );
		}
	}

	/**
	 * The dashboard widget: status, stars, expiry and the complaint record.
	 */
	public static function dashboard_widget() {
		$status = Seal_Badge_Sync::status();
		if ( ! is_array( $status ) ) {
			printf(
				'<p>%s <a href="%s">%s</a></p>',
				esc_html__( 'No seal status yet.', 'seal-badge' ),
				esc_url( Seal_Badge_Settings::url() ),
				esc_html__( 'Trust seal settings', 'seal-badge' )
			);
			return;
		}
		echo Seal_Badge_Settings::status_details( $status ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- status_details() escapes every value.
		if ( 'unknown' === Seal_Badge_Sync::trusted_status( $status ) ) {
			$lapsed = empty( $status['valid_until'] )
				? __( 'Visitors see the neutral "cannot confirm" badge: the authority has not signed this status.', 'seal-badge' )
				/* translators: %s: date and time the signed status lapsed. */
				: sprintf( __( 'Visitors see the neutral "cannot confirm" badge: the status the authority signed lapsed on %s.', 'seal-badge' ), Seal_Badge_Format::date( gmdate( 'c', (int) $status['valid_until'] ) ) );
			echo '<p class="seal-badge-lapsed">' . esc_html( $lapsed ) . '</p>';
		}
		$sync = get_option( Seal_Badge_Options::SYNC );
		if ( is_array( $sync ) && empty( $sync['ok'] ) ) {
			/* translators: %s: error message. */
			echo '<p class="seal-badge-stale">' . esc_html( sprintf( __( 'Last check failed (%s); showing the last known status.', 'seal-badge' ), $sync['error'] ) ) . '</p>';
		}
	}
}
