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

	public function test_the_text_domain_loads_before_widgets_are_built() {
		$ours    = has_action( 'init', array( 'Seal_Badge_Plugin', 'load_textdomain' ) );
		$widgets = has_action( 'init', 'wp_widgets_init' );
		$this->assertIsInt( $ours );
		$this->assertLessThan( $widgets, $ours, 'the widget takes its name and description when widgets_init runs' );
		$this->assertTrue( switch_to_locale( 'fa_IR' ) );
		$widget = new Seal_Badge_Widget();
		$this->assertSame( 'نماد اعتماد', $widget->name );
		$this->assertSame( 'نشان نماد اعتماد الکترونیکی شما را نمایش می‌دهد.', $widget->widget_options['description'] );
	}

	public function test_block_json_strings_and_the_editor_script_are_translated() {
		$this->assertTrue( switch_to_locale( 'fa_IR' ) );
		$this->assertSame( 'نماد اعتماد', _x( 'Trust seal', 'block title', 'seal-badge' ) );
		$metadata = wp_json_file_decode( SEAL_BADGE_DIR . 'blocks/seal-badge/block.json', array( 'associative' => true ) );
		$settings = translate_settings_using_i18n_schema( get_block_metadata_i18n_schema(), array_intersect_key( $metadata, array_flip( array( 'title', 'description', 'keywords' ) ) ), 'seal-badge' );
		$this->assertSame( 'نماد اعتماد', $settings['title'] );
		$this->assertStringContainsString( 'صفحهٔ استعلام', $settings['description'] );
		$this->assertContains( 'اینماد', $settings['keywords'] );

		$handle = generate_block_asset_handle( 'seal-badge/badge', 'editorScript' );
		$this->assertSame( SEAL_BADGE_DIR . 'languages', untrailingslashit( wp_scripts()->registered[ $handle ]->translations_path ) );
		$json = load_script_textdomain( $handle, 'seal-badge', SEAL_BADGE_DIR . 'languages' );
		$this->assertIsString( $json );
		$this->assertSame( array( 'مطابق تنظیمات' ), json_decode( $json, true )['locale_data']['messages']['As in the settings'] );
	}

	public function test_neutral_badge_speaks_the_placements_language() {
		$this->assertStringContainsString( '>Cannot confirm</text>', Seal_Badge_Render::neutral_svg( 'unknown', 'medium', 'en' ) );
		$this->assertStringContainsString( '>Click to verify</text>', Seal_Badge_Render::neutral_svg( 'unknown', 'small', 'en' ) );
		$this->assertStringContainsString( '>تأیید ممکن نیست</text>', Seal_Badge_Render::neutral_svg( 'unknown', 'medium', 'fa' ) );
		$this->assertStringContainsString( 'width="160"', Seal_Badge_Render::neutral_svg( 'revoked', 'large', 'fa' ) );
	}
}
