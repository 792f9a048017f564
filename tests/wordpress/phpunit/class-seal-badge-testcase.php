<?php
/**
 * Base test case: each test runs in a database transaction rolled back afterwards.
 *
 * @package Seal_Badge
 */

use PHPUnit\Framework\TestCase;

/**
 * Thrown instead of wp_die() ending the test process.
 */
class Seal_Badge_Die_Exception extends RuntimeException {
}

/**
 * Isolation, mail capture, users and the real seal server's seals.
 */
abstract class Seal_Badge_TestCase extends TestCase {

	/**
	 * Mails wp_mail() was asked to send.
	 *
	 * @var array[]
	 */
	protected $mails = array();

	/**
	 * Filters added by this test, removed in tearDown.
	 *
	 * @var array[]
	 */
	private $filters = array();

	protected function setUp(): void {
		global $wpdb;
		$wpdb->query( 'SET autocommit = 0' );
		$wpdb->query( 'START TRANSACTION' );
		wp_cache_flush();
		// Start from a freshly activated plugin whatever the end-to-end test left behind.
		foreach ( Seal_Badge_Options::ALL as $option ) {
			delete_option( $option );
		}
		update_option( Seal_Badge_Options::SETTINGS, Seal_Badge_Options::defaults() );
		delete_transient( Seal_Badge_Sync::LIVE_TRANSIENT );
		delete_transient( Seal_Badge_Sync::POKE_LOCK );
		wp_clear_scheduled_hook( Seal_Badge_Sync::RETRY_ACTION );
		$_POST    = array();
		$_REQUEST = array();
		$_GET     = array();
		wp_set_current_user( 0 );
		$this->mails = array();
		$this->filter( 'wp_die_handler', array( $this, 'die_handler' ) );
		$this->filter(
			'pre_wp_mail',
			function ( $short_circuit, $atts ) {
				$this->mails[] = $atts;
				return true;
			},
			10,
			2
		);
	}

	protected function tearDown(): void {
		global $wpdb;
		foreach ( $this->filters as $filter ) {
			remove_filter( $filter[0], $filter[1], $filter[2] );
		}
		$this->filters = array();
		$wpdb->query( 'ROLLBACK' );
		$wpdb->query( 'SET autocommit = 1' );
		wp_cache_flush();
		wp_set_current_user( 0 );
	}

	/**
	 * Add a filter for this test only.
	 *
	 * @param string   $hook     Hook name.
	 * @param callable $callback Callback.
	 * @param int      $priority Priority.
	 * @param int      $args     Accepted arguments.
	 */
	protected function filter( $hook, $callback, $priority = 10, $args = 1 ) {
		add_filter( $hook, $callback, $priority, $args );
		$this->filters[] = array( $hook, $callback, $priority );
	}

	/**
	 * The wp_die handler: throw, so a test can assert it happened.
	 *
	 * @return callable
	 */
	public function die_handler() {
		return static function ( $message, $title = '', $args = array() ) {
			$code = is_array( $args ) && isset( $args['response'] ) ? (int) $args['response'] : 500;
			throw new Seal_Badge_Die_Exception( is_string( $message ) ? $message : 'wp_die', $code );
		};
	}

	/**
	 * Log in a new user with the given role.
	 *
	 * @param string $role Role name.
	 * @return int User id.
	 */
	protected function login_as( $role ) {
		$id = wp_insert_user(
			array(
				'user_login' => $role . '_' . wp_generate_password( 6, false ),
				'user_pass'  => wp_generate_password(),
				'user_email' => $role . wp_rand() . '@shop.test',
				'role'       => $role,
			)
		);
		$this->assertIsInt( $id );
		wp_set_current_user( $id );
		return $id;
	}

	/**
	 * A seal issued by the real seal server for this session.
	 *
	 * @param string $key expired, active, days30, days7, days1, suspended, revoked or hostile.
	 * @return array Keys id, code, snippet, verify_url, badge_url.
	 */
	protected function seal( $key ) {
		$seals = json_decode( (string) getenv( 'SEAL_TEST_SEALS' ), true );
		$this->assertIsArray( $seals, 'SEAL_TEST_SEALS is set by conftest.py' );
		$this->assertArrayHasKey( $key, $seals );
		return $seals[ $key ];
	}

	/**
	 * Configure the plugin for one of the session's seals.
	 *
	 * @param string $key      Seal key.
	 * @param array  $settings Settings to override.
	 */
	protected function configure( $key, array $settings = array() ) {
		$seal = $this->seal( $key );
		update_option(
			Seal_Badge_Options::SETTINGS,
			array_merge(
				Seal_Badge_Options::defaults(),
				array(
					'server_url' => getenv( 'SEAL_TEST_SERVER' ),
					'seal_id'    => $seal['id'],
					'code'       => $seal['code'],
				),
				$settings
			)
		);
	}

	/**
	 * A status as the authority's API would give it, expiring in the given number of days.
	 *
	 * @param string $status Status.
	 * @param float  $days   Days until expiry (negative: in the past).
	 * @param array  $record Record fields to override.
	 * @return array
	 */
	protected function status( $status, $days, array $record = array() ) {
		return array(
			'id'         => 'abcdefghijkm',
			'domain'     => 'shop.test',
			'name_fa'    => 'فروشگاه نمونه',
			'name_en'    => 'Sample Shop',
			'owner'      => 'Maryam Ahmadi',
			'kind'       => 'standard',
			'stars'      => 2,
			'status'     => $status,
			'issued_at'  => gmdate( 'c', time() - 100 * DAY_IN_SECONDS ),
			'expires_at' => gmdate( 'c', (int) ( time() + $days * DAY_IN_SECONDS ) ),
			'days_left'  => (int) max( 0, ceil( $days ) ),
			'verify_url' => 'https://seal.test/verify/abcdefghijkm?code=x',
			'badge_url'  => 'https://seal.test/badge/abcdefghijkm.svg?code=x',
			'record'     => array_merge(
				array(
					'complaints_total'     => 0,
					'complaints_open'      => 0,
					'non_responses'        => 0,
					'nonconformities_open' => 0,
				),
				$record
			),
		);
	}

	/**
	 * Base64url without padding.
	 *
	 * @param string $raw Bytes.
	 * @return string
	 */
	protected static function b64( $raw ) {
		return rtrim( strtr( base64_encode( $raw ), '+/', '-_' ), '=' ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- building a test JWS.
	}

	/**
	 * A fresh Ed25519 key pair and its key set.
	 *
	 * @param string $kid Key id.
	 * @return array Keys secret (sodium secret key), jwks.
	 */
	protected function keypair( $kid = 'test-key' ) {
		$pair = sodium_crypto_sign_keypair();
		return array(
			'secret' => sodium_crypto_sign_secretkey( $pair ),
			'kid'    => $kid,
			'jwks'   => array(
				'keys' => array(
					array(
						'kty' => 'OKP',
						'crv' => 'Ed25519',
						'x'   => self::b64( sodium_crypto_sign_publickey( $pair ) ),
						'kid' => $kid,
						'alg' => 'EdDSA',
						'use' => 'sig',
					),
				),
			),
		);
	}

	/**
	 * A compact JWS over the claims, signed with the key pair.
	 *
	 * @param array $claims  Payload.
	 * @param array $keypair From keypair().
	 * @param array $header  Header fields to override.
	 * @return string
	 */
	protected function sign( array $claims, array $keypair, array $header = array() ) {
		$input = self::b64( wp_json_encode( array_merge( array( 'alg' => 'EdDSA', 'kid' => $keypair['kid'] ), $header ) ) ) . '.' . self::b64( wp_json_encode( $claims ) );
		return $input . '.' . self::b64( sodium_crypto_sign_detached( $input, $keypair['secret'] ) );
	}

	/**
	 * Signed claims as the authority would send them for the status() fixture.
	 *
	 * @param string $status Status.
	 * @param int    $exp    Seconds from now until the signature lapses.
	 * @return array
	 */
	protected function claims( $status = 'active', $exp = DAY_IN_SECONDS ) {
		$full = $this->status( $status, 100 );
		return array(
			'id'         => $full['id'],
			'domain'     => $full['domain'],
			'status'     => $status,
			'kind'       => $full['kind'],
			'stars'      => $full['stars'],
			'expires_at' => $full['expires_at'],
			'record'     => $full['record'],
			'iat'        => time() - 10,
			'exp'        => time() + $exp,
		);
	}
}
