<?php
/**
 * Puts the badge on the site: footer, shortcode, block, and the first-party copy.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Badge markup for every placement, and the route that serves the cached SVG.
 */
class Seal_Badge_Render {

	/** No file extension: servers that answer *.svg paths from disk would never reach WordPress. */
	const BADGE_ROUTE = '/badge';

	/** The route of version 0.1, kept so pages cached with its address still get an image. */
	const LEGACY_ROUTE = '/badge.svg';

	/**
	 * Hook the footer, shortcode, block, assets and the first-party badge route.
	 */
	public static function register() {
		add_action( 'init', array( __CLASS__, 'register_assets' ) );
		add_action( 'init', array( __CLASS__, 'register_block' ) );
		add_shortcode( 'seal_badge', array( __CLASS__, 'shortcode' ) );
		add_action( 'wp_footer', array( __CLASS__, 'footer' ) );
		add_action( 'rest_api_init', array( __CLASS__, 'register_routes' ) );
		add_filter( 'rest_pre_serve_request', array( __CLASS__, 'serve_svg' ), 10, 4 );
	}

	/**
	 * Register the stylesheet (direction-neutral: logical properties) and the fallback script.
	 */
	public static function register_assets() {
		wp_register_style( 'seal-badge', plugins_url( 'assets/css/seal-badge.css', SEAL_BADGE_FILE ), array(), SEAL_BADGE_VERSION );
		wp_register_script( 'seal-badge', plugins_url( 'assets/js/seal-badge.js', SEAL_BADGE_FILE ), array(), SEAL_BADGE_VERSION, true );
	}

	/**
	 * Register the server-rendered block from its block.json.
	 */
	public static function register_block() {
		register_block_type( SEAL_BADGE_DIR . 'blocks/seal-badge', array( 'render_callback' => array( __CLASS__, 'block' ) ) );
		// WordPress looks for the editor script's translations in wp-content/languages only; ours ship with the plugin.
		wp_set_script_translations( generate_block_asset_handle( 'seal-badge/badge', 'editorScript' ), 'seal-badge', SEAL_BADGE_DIR . 'languages' );
	}

	/**
	 * The badge markup.
	 *
	 * @param array $overrides Optional size and lang overriding the settings.
	 * @return string Empty when no seal is configured.
	 */
	public static function badge_html( array $overrides = array() ) {
		if ( ! Seal_Badge_Options::is_configured() ) {
			return '';
		}
		$settings = Seal_Badge_Options::settings();
		foreach ( array( 'size', 'lang' ) as $key ) {
			if ( ! empty( $overrides[ $key ] ) ) {
				$settings[ $key ] = $overrides[ $key ];
			}
		}
		if ( ! isset( Seal_Badge_Options::SIZES[ $settings['size'] ] ) ) {
			$settings['size'] = 'medium';
		}
		if ( ! in_array( $settings['lang'], Seal_Badge_Options::LANGUAGES, true ) ) {
			$settings['lang'] = 'fa';
		}
		list( $width, $height ) = Seal_Badge_Options::SIZES[ $settings['size'] ];

		$client = new Seal_Badge_Client( $settings );
		$status = Seal_Badge_Sync::status();
		$verify = $client->url( '/verify/' . rawurlencode( $settings['seal_id'] ), 'en' === $settings['lang'] ? array( 'lang' => 'en' ) : array() );
		$live   = $client->url(
			'/badge/' . rawurlencode( $settings['seal_id'] ) . '.svg',
			array(
				'lang' => $settings['lang'],
				'size' => $settings['size'],
			)
		);
		$local  = self::local_badge_url( $settings['size'], $settings['lang'] );
		$name   = is_array( $status ) && ! empty( $status['name_fa'] ) ? ( 'en' === $settings['lang'] && ! empty( $status['name_en'] ) ? $status['name_en'] : $status['name_fa'] ) : '';
		$alt    = 'en' === $settings['lang'] ? 'Electronic trust seal' : 'نماد اعتماد الکترونیکی';
		if ( '' !== $name ) {
			$alt .= ' – ' . $name;
		}
		$classes = array( 'seal-badge', 'seal-badge--' . $settings['size'] );
		if ( $settings['hide_on_mobile'] ) {
			$classes[] = 'seal-badge--hide-mobile';
		}

		wp_enqueue_style( 'seal-badge' );
		$image = array(
			'src'            => $local,
			'alt'            => $alt,
			'width'          => $width,
			'height'         => $height,
			'referrerpolicy' => 'origin',
			'decoding'       => 'async',
		);
		if ( ! Seal_Badge_Sync::authority_unreachable() ) {
			// The live badge lets the authority check where it is shown; the script swaps in our copy if it fails to load.
			wp_enqueue_script( 'seal-badge' );
			$image['src']                = $live;
			$image['data-seal-fallback'] = $local;
		}
		$attributes = '';
		foreach ( $image as $key => $value ) {
			$attributes .= sprintf( ' %s="%s"', $key, in_array( $key, array( 'src', 'data-seal-fallback' ), true ) ? esc_url( $value ) : esc_attr( $value ) );
		}
		return sprintf(
			'<div class="%1$s" lang="%2$s" dir="%3$s"><a href="%4$s" target="_blank" rel="noopener" referrerpolicy="origin"><img%5$s></a></div>',
			esc_attr( implode( ' ', $classes ) ),
			esc_attr( $settings['lang'] ),
			'fa' === $settings['lang'] ? 'rtl' : 'ltr',
			esc_url( $verify ),
			$attributes // Each attribute value is escaped in the loop above.
		);
	}

	/**
	 * This site's address of one of its REST routes, in the form the settings check found working.
	 *
	 * "pretty" is rest_url() (/wp-json/... with pretty permalinks); "plain" is ?rest_route=, which
	 * reaches index.php on every server whatever its rewrite and static-file rules.
	 *
	 * @param string $path Route path without the leading slash, e.g. seal-badge/v1/badge.
	 * @param string $mode pretty or plain; null for the saved choice.
	 * @return string
	 */
	public static function route_url( $path, $mode = null ) {
		$mode = null === $mode ? get_option( Seal_Badge_Options::ROUTE, 'pretty' ) : $mode;
		if ( 'plain' === $mode ) {
			return home_url( '/' ) . '?rest_route=/' . $path;
		}
		return rest_url( $path );
	}

	/**
	 * The site's own URL of the cached badge, changing whenever the copy changes.
	 *
	 * @param string      $size small, medium or large.
	 * @param string      $lang fa or en.
	 * @param string|null $mode Route form (see route_url()).
	 * @return string
	 */
	public static function local_badge_url( $size, $lang, $mode = null ) {
		$badges  = get_option( Seal_Badge_Options::BADGE );
		$variant = $size . '-' . $lang;
		$version = is_array( $badges ) && isset( $badges[ $variant ]['fetched_at'] ) ? (int) $badges[ $variant ]['fetched_at'] : 0;
		return add_query_arg(
			array(
				'size' => $size,
				'lang' => $lang,
				'v'    => $version,
			),
			self::route_url( Seal_Badge_Sync::REST_NAMESPACE . self::BADGE_ROUTE, $mode )
		);
	}

	/**
	 * Ask this site for its own badge in each route form; keep the first that answers an SVG.
	 *
	 * Run when the settings are saved, so a server that serves /wp-json/... badly (no rewrite
	 * rules, or paths handled as static files) falls back to ?rest_route=.
	 *
	 * @return true|WP_Error
	 */
	public static function check_route() {
		$problems = array();
		foreach ( array( 'pretty', 'plain' ) as $mode ) {
			$response = wp_remote_get(
				self::local_badge_url( 'medium', 'fa', $mode ),
				array(
					'timeout'     => 5,
					'redirection' => 0,
					// The site asks itself, as WordPress's own loopback checks do.
					'sslverify'   => apply_filters( 'https_local_ssl_verify', false ),
				)
			);
			if ( ! is_wp_error( $response ) && 200 === (int) wp_remote_retrieve_response_code( $response )
				&& 0 === strpos( (string) wp_remote_retrieve_header( $response, 'content-type' ), 'image/svg+xml' )
				&& '' !== (string) wp_remote_retrieve_header( $response, 'x-seal-state' ) ) {
				update_option( Seal_Badge_Options::ROUTE, $mode );
				return true;
			}
			$problems[] = is_wp_error( $response ) ? $response->get_error_message() : 'HTTP ' . (int) wp_remote_retrieve_response_code( $response );
		}
		update_option( Seal_Badge_Options::ROUTE, 'plain' );
		return new WP_Error(
			'seal_badge_route',
			/* translators: %s: what the site answered. */
			sprintf( __( 'This site could not load its own copy of the badge (%s); visitors will see a broken image when the authority is unreachable. Check that the site can reach itself over HTTP.', 'seal-badge' ), implode( '; ', $problems ) )
		);
	}

	/**
	 * Print the badge in the footer when the settings ask for it.
	 */
	public static function footer() {
		$settings = Seal_Badge_Options::settings();
		if ( ! $settings['footer'] || ( $settings['front_page_only'] && ! is_front_page() ) ) {
			return;
		}
		$html = self::badge_html();
		if ( '' !== $html ) {
			echo '<div class="seal-badge-footer">' . $html . '</div>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- badge_html() escapes every value it prints.
		}
	}

	/**
	 * The [seal_badge size="small|medium|large" lang="fa|en"] shortcode.
	 *
	 * @param array|string $atts Shortcode attributes.
	 * @return string
	 */
	public static function shortcode( $atts ) {
		$atts = shortcode_atts(
			array(
				'size' => '',
				'lang' => '',
			),
			$atts,
			'seal_badge'
		);
		return self::badge_html( array_map( 'sanitize_key', $atts ) );
	}

	/**
	 * Server-side render of the block.
	 *
	 * @param array $attributes Block attributes.
	 * @return string
	 */
	public static function block( $attributes ) {
		$attributes = is_array( $attributes ) ? $attributes : array();
		$html       = self::badge_html(
			array(
				'size' => isset( $attributes['size'] ) ? sanitize_key( $attributes['size'] ) : '',
				'lang' => isset( $attributes['lang'] ) ? sanitize_key( $attributes['lang'] ) : '',
			)
		);
		if ( '' === $html ) {
			return '';
		}
		return sprintf( '<div %s>%s</div>', get_block_wrapper_attributes(), $html );
	}

	/**
	 * Add the first-party badge route.
	 */
	public static function register_routes() {
		foreach ( array( self::BADGE_ROUTE, self::LEGACY_ROUTE ) as $route ) {
			register_rest_route(
				Seal_Badge_Sync::REST_NAMESPACE,
				$route,
				array(
					'methods'             => 'GET',
					'callback'            => array( __CLASS__, 'rest_badge' ),
					// Public on purpose: it is the image every visitor sees.
					'permission_callback' => '__return_true',
				)
			);
		}
	}

	/**
	 * The SVG to serve from this site and the state it shows.
	 *
	 * The stored copy is used only while the signed status it was fetched with is in force;
	 * otherwise a badge of our own is drawn: red for a seal known not to be valid, gray
	 * ("cannot confirm, click to verify") when nothing signed and current is known. Never green.
	 *
	 * @param int|null $now  Unix time.
	 * @param string   $size small, medium or large; default from the settings.
	 * @param string   $lang fa or en; default from the settings.
	 * @return array Keys svg and state.
	 */
	public static function first_party_badge( $now = null, $size = '', $lang = '' ) {
		$settings = Seal_Badge_Options::settings();
		$size     = isset( Seal_Badge_Options::SIZES[ $size ] ) ? $size : $settings['size'];
		$lang     = in_array( $lang, Seal_Badge_Options::LANGUAGES, true ) ? $lang : $settings['lang'];
		$trusted  = Seal_Badge_Sync::trusted_status( Seal_Badge_Sync::status(), $now );
		$badges   = get_option( Seal_Badge_Options::BADGE );
		$copy     = is_array( $badges ) && isset( $badges[ $size . '-' . $lang ] ) ? $badges[ $size . '-' . $lang ] : null;
		if ( 'unknown' !== $trusted && is_array( $copy ) && isset( $copy['svg'], $copy['status'], $copy['state'] ) && $copy['status'] === $trusted && Seal_Badge_Client::is_safe_svg( $copy['svg'] ) ) {
			return array(
				'svg'   => $copy['svg'],
				'state' => $copy['state'],
			);
		}
		return array(
			'svg'   => self::neutral_svg( $trusted, $size, $lang ),
			'state' => in_array( $trusted, array( 'active', 'unknown' ), true ) ? 'unverified' : $trusted,
		);
	}

	/**
	 * A badge of our own in gray (status unknown to us) or red (not valid); never green.
	 *
	 * @param string $status Effective status.
	 * @param string $size   small, medium or large.
	 * @param string $lang   fa or en.
	 * @return string
	 */
	public static function neutral_svg( $status, $size, $lang ) {
		$switched = switch_to_locale( 'fa' === $lang ? 'fa_IR' : 'en_US' );
		$labels   = array(
			'suspended' => __( 'Suspended', 'seal-badge' ),
			'revoked'   => __( 'Revoked', 'seal-badge' ),
			'expired'   => __( 'Expired', 'seal-badge' ),
			'invalid'   => __( 'Not valid', 'seal-badge' ),
		);
		$title    = __( 'Electronic trust seal', 'seal-badge' );
		$label    = isset( $labels[ $status ] ) ? $labels[ $status ] : __( 'Cannot confirm', 'seal-badge' );
		$hint     = __( 'Click to verify', 'seal-badge' );
		if ( $switched ) {
			restore_previous_locale();
		}
		list( $width, $height ) = isset( Seal_Badge_Options::SIZES[ $size ] ) ? Seal_Badge_Options::SIZES[ $size ] : Seal_Badge_Options::SIZES['medium'];
		$colour                 = isset( $labels[ $status ] ) ? '#b91c1c' : '#6b7280';
		$scale                  = $width / 128;
		$direction              = 'fa' === $lang ? 'rtl' : 'ltr';
		$font                   = 'Vazirmatn, Tahoma, sans-serif';
		return sprintf(
			'<svg xmlns="http://www.w3.org/2000/svg" width="%1$d" height="%2$d" viewBox="0 0 %1$d %2$d" role="img" aria-label="%3$s"><title>%4$s</title>'
			. '<rect x="1" y="1" width="%5$d" height="%6$d" rx="%7$.1f" fill="#ffffff" stroke="%8$s" stroke-width="2"/>'
			. '<circle cx="%9$.1f" cy="%10$.1f" r="%11$.1f" fill="%8$s"/>'
			. '<text x="%9$.1f" y="%12$.1f" font-family="%13$s" font-size="%14$.1f" font-weight="700" fill="#111827" text-anchor="middle" direction="%15$s">%16$s</text>'
			. '<text x="%9$.1f" y="%17$.1f" font-family="%13$s" font-size="%18$.1f" font-weight="700" fill="%8$s" text-anchor="middle" direction="%15$s">%19$s</text>'
			. '<text x="%9$.1f" y="%20$.1f" font-family="%13$s" font-size="%21$.1f" fill="#374151" text-anchor="middle" direction="%15$s">%22$s</text></svg>',
			$width,
			$height,
			esc_attr( $title . ': ' . $label . ' – ' . $hint ),
			esc_html( $title . ': ' . $label . ' – ' . $hint ),
			$width - 2,
			$height - 2,
			10 * $scale,
			$colour,
			$width / 2,
			42 * $scale,
			26 * $scale,
			86 * $scale,
			esc_attr( $font ),
			11 * $scale,
			$direction,
			esc_html( $title ),
			112 * $scale,
			12 * $scale,
			esc_html( $label ),
			136 * $scale,
			10 * $scale,
			esc_html( $hint )
		);
	}

	/**
	 * The first-party badge as a REST response carrying SVG headers.
	 *
	 * @param WP_REST_Request $request The request (size and lang are read, validated).
	 * @return WP_REST_Response
	 */
	public static function rest_badge( WP_REST_Request $request ) {
		$badge = self::first_party_badge( null, sanitize_key( (string) $request->get_param( 'size' ) ), sanitize_key( (string) $request->get_param( 'lang' ) ) );
		return new WP_REST_Response(
			$badge['svg'],
			200,
			array(
				'Content-Type'            => 'image/svg+xml; charset=utf-8',
				'Cache-Control'           => 'public, max-age=300',
				'X-Content-Type-Options'  => 'nosniff',
				'Content-Security-Policy' => "default-src 'none'; style-src 'unsafe-inline'",
				'X-Seal-State'            => $badge['state'],
			)
		);
	}

	/**
	 * Send the badge route's body as raw SVG instead of JSON.
	 *
	 * @param bool             $served  Whether the request was already served.
	 * @param mixed            $result  The response.
	 * @param WP_REST_Request  $request The request.
	 * @param WP_REST_Server   $server  The server (unused).
	 * @return bool
	 */
	public static function serve_svg( $served, $result, $request, $server ) {
		unset( $server );
		$routes = array( '/' . Seal_Badge_Sync::REST_NAMESPACE . self::BADGE_ROUTE, '/' . Seal_Badge_Sync::REST_NAMESPACE . self::LEGACY_ROUTE );
		if ( $served || ! in_array( $request->get_route(), $routes, true ) ) {
			return $served;
		}
		// With ?_envelope the data is the JSON envelope (an array): let WordPress send it as JSON.
		if ( ! $result instanceof WP_REST_Response || 200 !== $result->get_status() || ! is_string( $result->get_data() ) ) {
			return $served;
		}
		echo $result->get_data(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- an SVG that passed is_safe_svg() or was drawn by neutral_svg() with escaped text.
		return true;
	}
}
