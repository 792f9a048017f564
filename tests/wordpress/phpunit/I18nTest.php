<?php
/**
 * Persian translation, digits and dates.
 *
 * @package Seal_Badge
 */

/**
 * The fa_IR translation ships and loads; numbers and dates are Persian.
 */
class I18nTest extends Seal_Badge_TestCase {

	protected function tearDown(): void {
		restore_current_locale();
		parent::tearDown();
	}

	public function test_persian_translation_loads_from_the_shipped_mo_file() {
		$this->assertFileExists( SEAL_BADGE_DIR . 'languages/seal-badge-fa_IR.mo' );
		$this->assertFileExists( SEAL_BADGE_DIR . 'languages/seal-badge-fa_IR.po' );
		$this->assertTrue( switch_to_locale( 'fa_IR' ) );
		$this->assertSame( 'نماد اعتماد', __( 'Trust seal', 'seal-badge' ) );
		$this->assertSame( 'تعلیق شده', __( 'Suspended', 'seal-badge' ) );
	}

	public function test_persian_digits_and_jalali_dates_in_the_persian_locale() {
		$this->assertTrue( switch_to_locale( 'fa_IR' ) );
		$this->assertSame( '۱۲۳', Seal_Badge_Format::number( 123 ) );
		$this->assertSame( '۱۴۰۵/۰۱/۰۱', Seal_Badge_Format::date( '2026-03-21T12:00:00+00:00' ) );
		$this->assertSame( array( 1403, 1, 1 ), Seal_Badge_Format::to_jalali( 2024, 3, 20 ) );
		$this->assertSame( array( 1405, 9, 2 ), Seal_Badge_Format::to_jalali( 2026, 11, 23 ) );
		$this->assertSame( array( 1403, 12, 30 ), Seal_Badge_Format::to_jalali( 2025, 3, 20 ) );
	}

	public function test_english_locale_keeps_latin_digits_and_gregorian_dates() {
		$this->assertSame( '123', Seal_Badge_Format::number( 123 ) );
		$this->assertSame( 'March 21, 2026', Seal_Badge_Format::date( '2026-03-21T12:00:00+00:00' ) );
		$this->assertSame( '', Seal_Badge_Format::date( 'not a date' ) );
	}

	public function test_one_stylesheet_serves_both_directions() {
		$css = file_get_contents( SEAL_BADGE_DIR . 'assets/css/seal-badge.css' );
		$this->assertStringContainsString( 'inline-start', $css );
		// physical sides would put the status labels on the wrong side of a Persian admin page
		$this->assertDoesNotMatchRegularExpression( '/\b(left|right)\b/', $css );
	}

	public function test_settings_page_and_notices_in_persian() {
		$this->login_as( 'administrator' );
		$this->assertTrue( switch_to_locale( 'fa_IR' ) );
		ob_start();
		Seal_Badge_Settings::render();
		$page = ob_get_clean();
		$this->assertStringContainsString( '<h1>نماد اعتماد</h1>', $page );
		$this->assertStringContainsString( 'ذخیرهٔ تنظیمات', $page );
		$texts = Seal_Badge_Notices::messages( $this->status( 'active', 7, array( 'complaints_open' => 3 ) ), time() );
		$this->assertStringStartsWith( 'نماد اعتماد شما ۷ روز دیگر، در تاریخ ۱۴', $texts[0]['text'] );
		$this->assertStringStartsWith( '۳ شکایت خریدار باز است. ظرف ۷۲ ساعت', $texts[1]['text'] );
	}
}
