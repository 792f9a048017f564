<?php
/**
 * WooCommerce readiness checklist.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Checks a shop for what the authority's level-2 non-conformities are about.
 */
class Seal_Badge_WooCommerce {

	/**
	 * Nothing to hook: the checklist is drawn on the settings page.
	 */
	public static function register() {
	}

	/**
	 * True when WooCommerce is active.
	 *
	 * @return bool
	 */
	public static function is_active() {
		return class_exists( 'WooCommerce' );
	}

	/**
	 * True when the option holds the id of a published page.
	 *
	 * @param string $option WooCommerce option holding a page id.
	 * @return bool
	 */
	private static function page_published( $option ) {
		$id = (int) get_option( $option, 0 );
		return $id > 0 && 'page' === get_post_type( $id ) && 'publish' === get_post_status( $id );
	}

	/**
	 * True when a published page is about shipping or delivery times.
	 *
	 * @return bool
	 */
	private static function delivery_page_published() {
		$pages = get_posts(
			array(
				'post_type'      => 'page',
				'post_status'    => 'publish',
				'posts_per_page' => 50,
				'fields'         => 'ids',
			)
		);
		foreach ( $pages as $id ) {
			$text = get_post_field( 'post_name', $id ) . ' ' . get_the_title( $id );
			if ( preg_match( '/shipping|delivery|ارسال|تحویل/iu', rawurldecode( $text ) ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * True when every published product has a price.
	 *
	 * @return bool
	 */
	private static function prices_shown() {
		$unpriced = get_posts(
			array(
				'post_type'      => 'product',
				'post_status'    => 'publish',
				'posts_per_page' => 1,
				'fields'         => 'ids',
				// phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_query -- runs only on the settings page, limited to one row.
				'meta_query'     => array(
					'relation' => 'OR',
					array(
						'key'     => '_price',
						'compare' => 'NOT EXISTS',
					),
					array(
						'key'   => '_price',
						'value' => '',
					),
				),
			)
		);
		return empty( $unpriced ) && '' !== (string) get_option( 'woocommerce_currency', '' );
	}

	/**
	 * The checklist: each item with a label, whether it passes, and where to fix it.
	 *
	 * @return array[] Keys key, label, ok, fix_url.
	 */
	public static function checklist() {
		$contact = '' !== trim( (string) get_option( 'woocommerce_store_address', '' ) )
			&& '' !== trim( (string) get_option( 'woocommerce_store_city', '' ) )
			&& '' !== trim( (string) get_option( 'woocommerce_store_postcode', '' ) )
			&& is_email( (string) get_option( 'woocommerce_email_from_address', get_option( 'admin_email' ) ) );
		return array(
			array(
				'key'     => 'terms',
				'label'   => __( 'A published terms and conditions page is set in WooCommerce', 'seal-badge' ),
				'ok'      => self::page_published( 'woocommerce_terms_page_id' ),
				'fix_url' => admin_url( 'admin.php?page=wc-settings&tab=advanced' ),
			),
			array(
				'key'     => 'refunds',
				'label'   => __( 'A published refund and returns policy page is set', 'seal-badge' ),
				'ok'      => self::page_published( 'woocommerce_refund_returns_page_id' ),
				'fix_url' => admin_url( 'admin.php?page=wc-settings&tab=advanced' ),
			),
			array(
				'key'     => 'contact',
				'label'   => __( 'Contact information: store address, city, postal code and email', 'seal-badge' ),
				'ok'      => $contact,
				'fix_url' => admin_url( 'admin.php?page=wc-settings&tab=general' ),
			),
			array(
				'key'     => 'delivery',
				'label'   => __( 'A published page states shipping and delivery times', 'seal-badge' ),
				'ok'      => self::delivery_page_published(),
				'fix_url' => admin_url( 'post-new.php?post_type=page' ),
			),
			array(
				'key'     => 'prices',
				'label'   => __( 'Every published product shows a price, and a currency is set', 'seal-badge' ),
				'ok'      => self::prices_shown(),
				'fix_url' => admin_url( 'edit.php?post_type=product' ),
			),
		);
	}

	/**
	 * Print the checklist when WooCommerce is active.
	 */
	public static function render_checklist() {
		if ( ! self::is_active() ) {
			return;
		}
		echo '<h2>' . esc_html__( 'Shop readiness for the authority', 'seal-badge' ) . '</h2>';
		echo '<p>' . esc_html__( 'The authority records a level-2 non-conformity when these are missing.', 'seal-badge' ) . '</p><ul class="seal-badge-checklist">';
		foreach ( self::checklist() as $item ) {
			printf(
				'<li class="seal-badge-check seal-badge-check--%1$s" data-check="%2$s"><span aria-hidden="true">%3$s</span><span class="screen-reader-text">%6$s</span> %4$s%5$s</li>',
				$item['ok'] ? 'ok' : 'missing',
				esc_attr( $item['key'] ),
				$item['ok'] ? '✓' : '✗',
				esc_html( $item['label'] ),
				$item['ok'] ? '' : ' <a href="' . esc_url( $item['fix_url'] ) . '">' . esc_html__( 'Fix this', 'seal-badge' ) . '</a>',
				$item['ok'] ? esc_html__( 'Done:', 'seal-badge' ) : esc_html__( 'Missing:', 'seal-badge' )
			);
		}
		echo '</ul>';
	}
}
