<?php
/**
 * Checks the authority's signed status (a compact JWS, EdDSA over Ed25519) with sodium.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Pure functions: no options, no HTTP. The caller fetches the token and the key set.
 */
class Seal_Badge_Signature {

	const ALG = 'EdDSA';

	/** Seconds a status may claim to be signed in the future (clocks differ a little). */
	const CLOCK_SKEW = 300;

	/** The authority never signs a status for longer than 72 hours. */
	const MAX_VALIDITY = 259200;

	/** Ed25519 sizes (as the sodium constants, which a polyfill may not define). */
	const PUBLIC_KEY_BYTES = 32;
	const SIGNATURE_BYTES  = 64;

	const RECORD_FIELDS = array( 'complaints_total', 'complaints_open', 'non_responses', 'nonconformities_open' );

	/**
	 * Strict base64url decoding (no padding, no stray characters).
	 *
	 * @param string $text Base64url text.
	 * @return string|false Raw bytes, or false when the text is not base64url.
	 */
	public static function b64( $text ) {
		if ( ! is_string( $text ) || ! preg_match( '/^[A-Za-z0-9_-]*$/', $text ) || 1 === strlen( $text ) % 4 ) {
			return false;
		}
		// phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode -- decoding a JWS, as RFC 7515 requires.
		return base64_decode( strtr( $text, '-_', '+/' ), true );
	}

	/**
	 * The three parts of a compact JWS and its decoded protected header.
	 *
	 * @param string $token Compact JWS.
	 * @return array|WP_Error Keys header (array), signing_input, payload (raw), signature (raw).
	 */
	public static function parse( $token ) {
		$bad   = new WP_Error( 'seal_badge_jws_malformed', __( 'The signed status from the seal server is malformed.', 'seal-badge' ) );
		$parts = is_string( $token ) && strlen( $token ) < 8192 ? explode( '.', trim( $token ) ) : array();
		if ( 3 !== count( $parts ) ) {
			return $bad;
		}
		$header    = self::b64( $parts[0] );
		$payload   = self::b64( $parts[1] );
		$signature = self::b64( $parts[2] );
		$decoded   = false === $header ? null : json_decode( $header, true );
		if ( false === $payload || false === $signature || ! is_array( $decoded ) ) {
			return $bad;
		}
		if ( ! isset( $decoded['alg'], $decoded['kid'] ) || self::ALG !== $decoded['alg'] || ! is_string( $decoded['kid'] ) || isset( $decoded['crit'] ) ) {
			return $bad;
		}
		return array(
			'header'        => $decoded,
			'signing_input' => $parts[0] . '.' . $parts[1],
			'payload'       => $payload,
			'signature'     => $signature,
		);
	}

	/**
	 * The Ed25519 public key (32 bytes) a key set holds under this kid.
	 *
	 * @param mixed  $jwks Decoded JWKS.
	 * @param string $kid  Key id.
	 * @return string|null
	 */
	public static function public_key( $jwks, $kid ) {
		if ( ! is_array( $jwks ) || ! isset( $jwks['keys'] ) || ! is_array( $jwks['keys'] ) ) {
			return null;
		}
		foreach ( $jwks['keys'] as $key ) {
			if ( ! is_array( $key ) || ! isset( $key['kid'], $key['kty'], $key['crv'], $key['x'] ) || $key['kid'] !== $kid ) {
				continue;
			}
			if ( 'OKP' !== $key['kty'] || 'Ed25519' !== $key['crv'] || ( isset( $key['alg'] ) && self::ALG !== $key['alg'] ) ) {
				continue;
			}
			$raw = self::b64( (string) $key['x'] );
			if ( false !== $raw && self::PUBLIC_KEY_BYTES === strlen( $raw ) ) {
				return $raw;
			}
		}
		return null;
	}

	/**
	 * True when the key set names this kid (so refetching it would not help).
	 *
	 * @param mixed  $jwks Decoded JWKS.
	 * @param string $kid  Key id.
	 * @return bool
	 */
	public static function knows( $jwks, $kid ) {
		return null !== self::public_key( $jwks, $kid );
	}

	/**
	 * The status claims of a token signed by a key of the set, for this seal, still in force.
	 *
	 * @param string $token   Compact JWS.
	 * @param mixed  $jwks    Decoded JWKS.
	 * @param string $seal_id The seal asked about.
	 * @param int    $now     Unix time.
	 * @return array|WP_Error Claims (id, domain, status, kind, stars, expires_at, record, iat, exp).
	 */
	public static function verify( $token, $jwks, $seal_id, $now ) {
		$parsed = self::parse( $token );
		if ( is_wp_error( $parsed ) ) {
			return $parsed;
		}
		$key = self::public_key( $jwks, $parsed['header']['kid'] );
		if ( null === $key ) {
			return new WP_Error( 'seal_badge_jws_unknown_key', __( 'The status is signed with a key the seal server does not publish.', 'seal-badge' ) );
		}
		if ( ! function_exists( 'sodium_crypto_sign_verify_detached' ) ) {
			return new WP_Error( 'seal_badge_jws_sodium', __( 'This server\'s PHP has no sodium functions, so the seal status cannot be verified.', 'seal-badge' ) );
		}
		if ( self::SIGNATURE_BYTES !== strlen( $parsed['signature'] ) || ! sodium_crypto_sign_verify_detached( $parsed['signature'], $parsed['signing_input'], $key ) ) {
			return new WP_Error( 'seal_badge_jws_signature', __( 'The signature of the seal status does not verify; the status was not trusted.', 'seal-badge' ) );
		}
		$claims = json_decode( $parsed['payload'], true );
		if ( ! is_array( $claims ) || ! self::claims_are_well_formed( $claims ) || $claims['id'] !== $seal_id ) {
			return new WP_Error( 'seal_badge_jws_claims', __( 'The signed status is not about the configured seal.', 'seal-badge' ) );
		}
		if ( $claims['iat'] > $now + self::CLOCK_SKEW || $claims['exp'] <= $now || $claims['exp'] - $claims['iat'] > self::MAX_VALIDITY ) {
			return new WP_Error( 'seal_badge_jws_expired', __( 'The signed status is out of date; check this site\'s clock.', 'seal-badge' ) );
		}
		return $claims;
	}

	/**
	 * True when every claim is there with the right type.
	 *
	 * @param array $claims Decoded payload.
	 * @return bool
	 */
	private static function claims_are_well_formed( array $claims ) {
		foreach ( array( 'id', 'domain', 'status', 'kind', 'expires_at' ) as $field ) {
			if ( ! isset( $claims[ $field ] ) || ! is_string( $claims[ $field ] ) ) {
				return false;
			}
		}
		foreach ( array( 'stars', 'iat', 'exp' ) as $field ) {
			if ( ! isset( $claims[ $field ] ) || ! is_int( $claims[ $field ] ) ) {
				return false;
			}
		}
		if ( ! in_array( $claims['status'], Seal_Badge_Client::STATUSES, true ) || false === strtotime( $claims['expires_at'] ) ) {
			return false;
		}
		if ( ! isset( $claims['record'] ) || ! is_array( $claims['record'] ) ) {
			return false;
		}
		foreach ( self::RECORD_FIELDS as $field ) {
			if ( ! isset( $claims['record'][ $field ] ) || ! is_int( $claims['record'][ $field ] ) ) {
				return false;
			}
		}
		return true;
	}
}
