<?php
/**
 * Talks to the seal authority: the JSON status, the signed status, its keys and the badge SVG.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Remote calls to the configured seal server only.
 */
class Seal_Badge_Client {

	const TIMEOUT    = 5;
	const MAX_BYTES  = 65536;
	const STATUSES   = array( 'active', 'suspended', 'revoked', 'expired' );
	const API_FIELDS = array( 'id', 'domain', 'name_fa', 'owner', 'kind', 'stars', 'status', 'expires_at', 'days_left', 'verify_url', 'badge_url', 'record' );

	/**
	 * The configured server's host and port.
	 *
	 * @var array{host:string,port:int}|null
	 */
	private $authority;

	/**
	 * Settings to use (server_url, seal_id, code, size, lang).
	 *
	 * @var array
	 */
	private $settings;

	/**
	 * Build a client for the given settings.
	 *
	 * @param array $settings Plugin settings.
	 */
	public function __construct( array $settings ) {
		$this->settings = $settings;
		$parts          = wp_parse_url( $settings['server_url'] );
		if ( is_array( $parts ) && ! empty( $parts['host'] ) ) {
			$default         = ( isset( $parts['scheme'] ) && 'http' === $parts['scheme'] ) ? 80 : 443;
			$this->authority = array(
				'host' => strtolower( $parts['host'] ),
				'port' => isset( $parts['port'] ) ? (int) $parts['port'] : $default,
			);
		}
	}

	/**
	 * Let wp_safe_remote_get reach the configured authority even on a private address.
	 *
	 * Only that exact host passes; every other internal host stays refused.
	 *
	 * @param bool   $external Whether WordPress already considers the host external.
	 * @param string $host     Host being requested.
	 * @return bool
	 */
	public function allow_authority_host( $external, $host ) {
		return $external || ( null !== $this->authority && strtolower( $host ) === $this->authority['host'] );
	}

	/**
	 * Let wp_safe_remote_get use the authority's port when it is not 80, 443 or 8080.
	 *
	 * @param int[]  $ports Allowed ports.
	 * @param string $host  Host being requested.
	 * @return int[]
	 */
	public function allow_authority_port( $ports, $host ) {
		if ( null !== $this->authority && strtolower( (string) $host ) === $this->authority['host'] ) {
			$ports[] = $this->authority['port'];
		}
		return $ports;
	}

	/**
	 * GET a URL on the authority with the safe HTTP API, the host filters applying to this call only.
	 *
	 * @param string $url     Absolute URL on the authority.
	 * @param array  $headers Extra request headers.
	 * @return array|WP_Error
	 */
	private function get( $url, array $headers = array() ) {
		add_filter( 'http_request_host_is_external', array( $this, 'allow_authority_host' ), 10, 2 );
		add_filter( 'http_allowed_safe_ports', array( $this, 'allow_authority_port' ), 10, 2 );
		$response = wp_safe_remote_get(
			$url,
			array(
				'timeout'             => self::TIMEOUT,
				'redirection'         => 0,
				'limit_response_size' => self::MAX_BYTES,
				'headers'             => $headers,
				'user-agent'          => 'SealBadge/' . SEAL_BADGE_VERSION . '; ' . home_url( '/' ),
			)
		);
		remove_filter( 'http_request_host_is_external', array( $this, 'allow_authority_host' ), 10 );
		remove_filter( 'http_allowed_safe_ports', array( $this, 'allow_authority_port' ), 10 );
		return $response;
	}

	/**
	 * The seal's URL on the authority with the code and extra query arguments.
	 *
	 * @param string $path Path after the server URL.
	 * @param array  $args Extra query arguments.
	 * @return string
	 */
	public function url( $path, array $args = array() ) {
		$query = array_merge( array( 'code' => $this->settings['code'] ), $args );
		return $this->settings['server_url'] . $path . '?' . http_build_query( $query, '', '&', PHP_QUERY_RFC3986 );
	}

	/**
	 * The seal's renewal page at the authority.
	 *
	 * @return string
	 */
	public function renew_url() {
		return $this->settings['server_url'] . '/panel/seals/' . rawurlencode( $this->settings['seal_id'] ) . '/renew';
	}

	/**
	 * The error for a request that did not reach the authority.
	 *
	 * @param WP_Error $error The HTTP API's error.
	 * @return WP_Error
	 */
	private static function unreachable( WP_Error $error ) {
		/* translators: %s: the error from the HTTP request. */
		return new WP_Error( 'seal_badge_unreachable', sprintf( __( 'The seal server could not be reached: %s', 'seal-badge' ), $error->get_error_message() ) );
	}

	/**
	 * The error for an answer with an unexpected HTTP status.
	 *
	 * @param int $code HTTP status code.
	 * @return WP_Error
	 */
	private static function http_error( $code ) {
		/* translators: %d: HTTP status code. */
		return new WP_Error( 'seal_badge_http', sprintf( __( 'The seal server answered with HTTP status %d.', 'seal-badge' ), $code ) );
	}

	/**
	 * The seal's signed status as the compact JWS the authority sent (checked by Seal_Badge_Signature).
	 *
	 * @return string|WP_Error
	 */
	public function fetch_signed_status() {
		$response = $this->get( $this->url( '/api/v1/seals/' . rawurlencode( $this->settings['seal_id'] ) . '/status.jws' ) );
		if ( is_wp_error( $response ) ) {
			return self::unreachable( $response );
		}
		$code = (int) wp_remote_retrieve_response_code( $response );
		if ( 200 !== $code ) {
			return self::http_error( $code );
		}
		return trim( (string) wp_remote_retrieve_body( $response ) );
	}

	/**
	 * The authority's status-signing keys (JWKS).
	 *
	 * @return array|WP_Error
	 */
	public function fetch_keys() {
		$response = $this->get( $this->settings['server_url'] . '/.well-known/seal-keys.json' );
		if ( is_wp_error( $response ) ) {
			return self::unreachable( $response );
		}
		$code = (int) wp_remote_retrieve_response_code( $response );
		if ( 200 !== $code ) {
			return self::http_error( $code );
		}
		$keys = json_decode( wp_remote_retrieve_body( $response ), true );
		if ( ! is_array( $keys ) || ! isset( $keys['keys'] ) || ! is_array( $keys['keys'] ) ) {
			return new WP_Error( 'seal_badge_body', __( 'The seal server sent an answer this plugin does not understand.', 'seal-badge' ) );
		}
		return array( 'keys' => array_values( array_filter( $keys['keys'], 'is_array' ) ) );
	}

	/**
	 * The seal's live status from the JSON API.
	 *
	 * @return array|WP_Error The validated status; status "invalid" when the authority does not know the seal.
	 */
	public function fetch_status() {
		$response = $this->get( $this->url( '/api/v1/seals/' . rawurlencode( $this->settings['seal_id'] ) ) );
		if ( is_wp_error( $response ) ) {
			return self::unreachable( $response );
		}
		$code = (int) wp_remote_retrieve_response_code( $response );
		$body = json_decode( wp_remote_retrieve_body( $response ), true );
		if ( 404 === $code && is_array( $body ) && isset( $body['error'] ) ) {
			return array(
				'id'     => $this->settings['seal_id'],
				'status' => 'invalid',
				'error'  => sanitize_text_field( (string) $body['error'] ),
			);
		}
		if ( 200 !== $code ) {
			return self::http_error( $code );
		}
		return self::validate_status( $body, $this->settings['seal_id'] );
	}

	/**
	 * The API body checked key by key and reduced to plain values.
	 *
	 * @param mixed  $body    Decoded JSON.
	 * @param string $seal_id The id that was asked for.
	 * @return array|WP_Error
	 */
	public static function validate_status( $body, $seal_id ) {
		$bad = new WP_Error( 'seal_badge_body', __( 'The seal server sent an answer this plugin does not understand.', 'seal-badge' ) );
		if ( ! is_array( $body ) || array_diff( self::API_FIELDS, array_keys( $body ) ) || ! is_array( $body['record'] ) ) {
			return $bad;
		}
		if ( $body['id'] !== $seal_id || ! in_array( $body['status'], self::STATUSES, true ) || false === strtotime( (string) $body['expires_at'] ) ) {
			return $bad;
		}
		$record = array();
		foreach ( array( 'complaints_total', 'complaints_open', 'non_responses', 'nonconformities_open' ) as $field ) {
			$record[ $field ] = isset( $body['record'][ $field ] ) ? max( 0, (int) $body['record'][ $field ] ) : 0;
		}
		return array(
			'id'         => (string) $body['id'],
			'domain'     => sanitize_text_field( (string) $body['domain'] ),
			'name_fa'    => sanitize_text_field( (string) $body['name_fa'] ),
			'name_en'    => isset( $body['name_en'] ) ? sanitize_text_field( (string) $body['name_en'] ) : '',
			'owner'      => sanitize_text_field( (string) $body['owner'] ),
			'kind'       => sanitize_key( (string) $body['kind'] ),
			'stars'      => min( 5, max( 0, (int) $body['stars'] ) ),
			'status'     => $body['status'],
			'issued_at'  => isset( $body['issued_at'] ) ? sanitize_text_field( (string) $body['issued_at'] ) : '',
			'expires_at' => sanitize_text_field( (string) $body['expires_at'] ),
			'days_left'  => max( 0, (int) $body['days_left'] ),
			'verify_url' => esc_url_raw( (string) $body['verify_url'], array( 'http', 'https' ) ),
			'badge_url'  => esc_url_raw( (string) $body['badge_url'], array( 'http', 'https' ) ),
			'record'     => $record,
		);
	}

	/**
	 * The badge SVG as the site's visitors would see it (Referer: this site).
	 *
	 * @param string $size small, medium or large.
	 * @param string $lang fa or en.
	 * @return array|WP_Error Keys svg and state.
	 */
	public function fetch_badge( $size, $lang ) {
		$url      = $this->url(
			'/badge/' . rawurlencode( $this->settings['seal_id'] ) . '.svg',
			array(
				'lang' => $lang,
				'size' => $size,
			)
		);
		$response = $this->get( $url, array( 'Referer' => home_url( '/' ) ) );
		if ( is_wp_error( $response ) ) {
			return $response;
		}
		$state = (string) wp_remote_retrieve_header( $response, 'x-seal-state' );
		$svg   = wp_remote_retrieve_body( $response );
		if ( ! in_array( (int) wp_remote_retrieve_response_code( $response ), array( 200, 404 ), true ) || '' === $state ) {
			return new WP_Error( 'seal_badge_badge', __( 'The seal server did not send a badge.', 'seal-badge' ) );
		}
		if ( ! self::is_safe_svg( $svg ) ) {
			return new WP_Error( 'seal_badge_badge', __( 'The badge from the seal server is not a plain SVG image; it was not stored.', 'seal-badge' ) );
		}
		return array(
			'svg'   => $svg,
			'state' => sanitize_key( $state ),
		);
	}

	/**
	 * True for an SVG made only of drawing elements: no script, handlers, links or foreign content.
	 *
	 * The copy is served from this site's own origin, so it must not carry anything active.
	 *
	 * @param string $svg SVG text.
	 * @return bool
	 */
	public static function is_safe_svg( $svg ) {
		if ( '' === $svg || strlen( $svg ) > self::MAX_BYTES || false !== stripos( $svg, '<!DOCTYPE' ) || false !== stripos( $svg, '<!ENTITY' ) ) {
			return false;
		}
		$allowed  = array( 'svg', 'title', 'desc', 'g', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'path', 'text', 'tspan', 'defs', 'lineargradient', 'radialgradient', 'stop' );
		$document = new DOMDocument();
		$previous = libxml_use_internal_errors( true );
		$loaded   = $document->loadXML( $svg, LIBXML_NONET );
		libxml_clear_errors();
		libxml_use_internal_errors( $previous );
		if ( ! $loaded || null === $document->documentElement || 'svg' !== $document->documentElement->localName ) {
			return false;
		}
		foreach ( $document->getElementsByTagName( '*' ) as $element ) {
			if ( ! in_array( strtolower( $element->localName ), $allowed, true ) ) {
				return false;
			}
			foreach ( $element->attributes as $attribute ) {
				$name = strtolower( $attribute->localName );
				if ( 0 === strpos( $name, 'on' ) || 'href' === $name || false !== stripos( $attribute->value, 'url(' ) ) {
					return false;
				}
			}
		}
		return true;
	}
}
