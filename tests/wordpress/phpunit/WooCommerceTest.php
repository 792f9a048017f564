<?php
/**
 * The WooCommerce readiness checklist.
 *
 * WooCommerce is not installed in the test site. The checklist reads only WordPress options,
 * pages and product posts that WooCommerce itself uses, so the test fills those and declares
 * an empty `WooCommerce` class (a test double defined here only) for the "is it active" check.
 *
 * @package Seal_Badge
 */

/**
 * Checklist logic with WooCommerce's own option names.
 */
class WooCommerceTest extends Seal_Badge_TestCase {

	/**
	 * Checklist results by key.
	 *
	 * @return bool[]
	 */
	private function results() {
		$results = array();
		foreach ( Seal_Badge_WooCommerce::checklist() as $item ) {
			$results[ $item['key'] ] = $item['ok'];
		}
		return $results;
	}

	/**
	 * A published page.
	 *
	 * @param string $title Title.
	 * @param string $status Post status.
	 * @return int
	 */
	private function page( $title, $status = 'publish' ) {
		return wp_insert_post(
			array(
				'post_type'   => 'page',
				'post_status' => $status,
				'post_title'  => $title,
			)
		);
	}

	public function test_checklist_is_hidden_without_woocommerce() {
		if ( class_exists( 'WooCommerce' ) ) {
			$this->markTestSkipped( 'the WooCommerce test double was already declared by an earlier test' );
		}
		$this->assertFalse( Seal_Badge_WooCommerce::is_active() );
		ob_start();
		Seal_Badge_WooCommerce::render_checklist();
		$this->assertSame( '', ob_get_clean() );
	}

	public function test_empty_shop_misses_everything_with_links_to_fix() {
		$this->assertSame(
			array(
				'terms'    => false,
				'refunds'  => false,
				'contact'  => false,
				'delivery' => false,
				'prices'   => false,
			),
			$this->results()
		);
		foreach ( Seal_Badge_WooCommerce::checklist() as $item ) {
			$this->assertStringStartsWith( admin_url(), $item['fix_url'] );
		}
	}

	public function test_complete_shop_passes_and_each_check_reads_the_right_thing() {
		update_option( 'woocommerce_terms_page_id', $this->page( 'Terms and conditions' ) );
		update_option( 'woocommerce_refund_returns_page_id', $this->page( 'Refund and returns policy' ) );
		update_option( 'woocommerce_store_address', 'Valiasr St. 12' );
		update_option( 'woocommerce_store_city', 'Tehran' );
		update_option( 'woocommerce_store_postcode', '1234567890' );
		update_option( 'woocommerce_currency', 'IRT' );
		$this->page( 'زمان ارسال سفارش' );
		$product = wp_insert_post(
			array(
				'post_type'   => 'product',
				'post_status' => 'publish',
				'post_title'  => 'Tea',
			)
		);
		update_post_meta( $product, '_price', '120000' );
		$this->assertSame( array_fill_keys( array( 'terms', 'refunds', 'contact', 'delivery', 'prices' ), true ), $this->results() );

		// Each check fails on its own when its part goes.
		wp_update_post(
			array(
				'ID'          => (int) get_option( 'woocommerce_terms_page_id' ),
				'post_status' => 'draft',
			)
		);
		update_option( 'woocommerce_store_postcode', '' );
		$unpriced = wp_insert_post(
			array(
				'post_type'   => 'product',
				'post_status' => 'publish',
				'post_title'  => 'Coffee',
			)
		);
		$this->assertSame(
			array(
				'terms'    => false,
				'refunds'  => true,
				'contact'  => false,
				'delivery' => true,
				'prices'   => false,
			),
			$this->results()
		);
		update_post_meta( $unpriced, '_price', '' );
		$this->assertFalse( $this->results()['prices'] );
	}

	public function test_checklist_is_shown_on_the_settings_page_when_woocommerce_is_active() {
		if ( ! class_exists( 'WooCommerce' ) ) {
			eval( 'class WooCommerce {}' ); // phpcs:ignore Squiz.PHP.Eval.Discouraged -- a test double declared only when this test runs, so the "inactive" test can run first.
		}
		$this->assertTrue( Seal_Badge_WooCommerce::is_active() );
		update_option( 'woocommerce_refund_returns_page_id', $this->page( 'Returns' ) );
		$this->login_as( 'administrator' );
		ob_start();
		Seal_Badge_Settings::render();
		$html = ob_get_clean();
		$this->assertStringContainsString( 'Shop readiness for the authority', $html );
		$this->assertStringContainsString( 'data-check="refunds"><span aria-hidden="true">✓', $html );
		$this->assertStringContainsString( 'seal-badge-check--missing" data-check="terms"', $html );
		$this->assertStringContainsString( esc_url( admin_url( 'admin.php?page=wc-settings&tab=advanced' ) ), $html );
	}
}
