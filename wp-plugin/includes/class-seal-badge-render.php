<?php
/**
 * Puts the badge on the site: footer, shortcode, block, and the first-party copy.
 *
 * @package Seal_Badge
 */

/**
 * Badge markup for every placement, and the route that serves the cached SVG.
 */
class Seal_Badge_Render {

	const BADGE_ROUTE = '/badge.svg';

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
		$local  = self::local_badge_url();
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
	 * The site's own URL of the cached badge, changing whenever the copy changes.
	 *
	 * @return string
	 */
	public static function local_badge_url() {
		$badge   = get_option( Seal_Badge_Options::BADGE );
		$version = is_array( $badge ) && isset( $badge['fetched_at'] ) ? (int) $badge['fetched_at'] : 0;
		return add_query_arg( 'v', $version, rest_url( Seal_Badge_Sync::REST_NAMESPACE . self::BADGE_ROUTE ) );
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
		register_rest_route(
			Seal_Badge_Sync::REST_NAMESPACE,
			self::BADGE_ROUTE,
			array(
				'methods'             => 'GET',
				'callback'            => array( __CLASS__, 'rest_badge' ),
				// Public on purpose: it is the image every visitor sees.
				'permission_callback' => '__return_true',
			)
		);
	}

	/**
	 * The SVG to serve from this site and the state it shows.
	 *
	 * The stored copy is used only when it was fetched with the status still in force;
	 * otherwise a neutral badge of our own is drawn, never a green one.
	 *
	 * @param int|null $now Unix time.
	 * @return array Keys svg and state.
	 */
	public static function first_party_badge( $now = null ) {
		$status    = Seal_Badge_Sync::status();
		$effective = Seal_Badge_Sync::effective_status( $status, $now );
		$badge     = get_option( Seal_Badge_Options::BADGE );
		if ( is_array( $badge ) && isset( $badge['svg'], $badge['status'] ) && $badge['status'] === $effective && Seal_Badge_Client::is_safe_svg( $badge['svg'] ) ) {
			return array(
				'svg'   => $badge['svg'],
				'state' => $badge['state'],
			);
		}
		$settings = Seal_Badge_Options::settings();
		return array(
			'svg'   => self::neutral_svg( $effective, $settings['size'], $settings['lang'] ),
			'state' => 'active' === $effective ? 'unverified' : $effective,
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
		$label    = isset( $labels[ $status ] ) ? $labels[ $status ] : __( 'Verify on the authority', 'seal-badge' );
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
			. '<text x="%9$.1f" y="%17$.1f" font-family="%13$s" font-size="%18$.1f" font-weight="700" fill="%8$s" text-anchor="middle" direction="%15$s">%19$s</text></svg>',
			$width,
			$height,
			esc_attr( $title . ': ' . $label ),
			esc_html( $title . ': ' . $label ),
			$width - 2,
			$height - 2,
			10 * $scale,
			$colour,
			$width / 2,
			46 * $scale,
			30 * $scale,
			94 * $scale,
			esc_attr( $font ),
			11 * $scale,
			$direction,
			esc_html( $title ),
			124 * $scale,
			12 * $scale,
			esc_html( $label )
		);
	}

	/**
	 * The first-party badge as a REST response carrying SVG headers.
	 *
	 * @return WP_REST_Response
	 */
	public static function rest_badge() {
		$badge = self::first_party_badge();
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
		if ( $served || '/' . Seal_Badge_Sync::REST_NAMESPACE . self::BADGE_ROUTE !== $request->get_route() ) {
			return $served;
		}
		if ( ! $result instanceof WP_REST_Response || 200 !== $result->get_status() ) {
			return $served;
		}
		echo $result->get_data(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- an SVG that passed is_safe_svg() or was drawn by neutral_svg() with escaped text.
		return true;
	}
}
