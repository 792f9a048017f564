<?php
/**
 * Persian-first formatting: digits and Jalali dates.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Number and date formatting for the current locale.
 */
class Seal_Badge_Format {

	/**
	 * True when the current locale is Persian.
	 *
	 * @return bool
	 */
	public static function is_persian() {
		return 0 === strpos( determine_locale(), 'fa' );
	}

	/**
	 * Latin digits turned into Persian digits.
	 *
	 * @param string|int $text Text holding digits.
	 * @return string
	 */
	public static function persian_digits( $text ) {
		return strtr( (string) $text, array_combine( range( 0, 9 ), array( '۰', '۱', '۲', '۳', '۴', '۵', '۶', '۷', '۸', '۹' ) ) );
	}

	/**
	 * A number in the current locale's digits.
	 *
	 * @param int $number The number.
	 * @return string
	 */
	public static function number( $number ) {
		$text = number_format_i18n( (int) $number );
		return self::is_persian() ? self::persian_digits( $text ) : $text;
	}

	/**
	 * Gregorian to Jalali (the well-known arithmetic conversion).
	 *
	 * @param int $gy Gregorian year.
	 * @param int $gm Gregorian month.
	 * @param int $gd Gregorian day.
	 * @return int[] Jalali year, month, day.
	 */
	public static function to_jalali( $gy, $gm, $gd ) {
		$g_d_m = array( 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 );
		$gy2   = ( $gm > 2 ) ? ( $gy + 1 ) : $gy;
		$days  = 355666 + ( 365 * $gy ) + intdiv( $gy2 + 3, 4 ) - intdiv( $gy2 + 99, 100 ) + intdiv( $gy2 + 399, 400 ) + $gd + $g_d_m[ $gm - 1 ];
		$jy    = -1595 + ( 33 * intdiv( $days, 12053 ) );
		$days %= 12053;
		$jy   += 4 * intdiv( $days, 1461 );
		$days %= 1461;
		if ( $days > 365 ) {
			$jy   += intdiv( $days - 1, 365 );
			$days  = ( $days - 1 ) % 365;
		}
		if ( $days < 186 ) {
			$jm = 1 + intdiv( $days, 31 );
			$jd = 1 + ( $days % 31 );
		} else {
			$jm = 7 + intdiv( $days - 186, 30 );
			$jd = 1 + ( ( $days - 186 ) % 30 );
		}
		return array( $jy, $jm, $jd );
	}

	/**
	 * An ISO 8601 date shown as Jalali in Persian, as the site's date format otherwise.
	 *
	 * @param string $iso ISO 8601 date-time from the authority.
	 * @return string Empty when the date cannot be read.
	 */
	public static function date( $iso ) {
		$timestamp = strtotime( (string) $iso );
		if ( false === $timestamp ) {
			return '';
		}
		if ( self::is_persian() ) {
			$local            = ( new DateTimeImmutable( '@' . $timestamp ) )->setTimezone( wp_timezone() );
			list( $y, $m, $d ) = self::to_jalali( (int) $local->format( 'Y' ), (int) $local->format( 'n' ), (int) $local->format( 'j' ) );
			return self::persian_digits( sprintf( '%04d/%02d/%02d', $y, $m, $d ) );
		}
		return wp_date( get_option( 'date_format' ), $timestamp );
	}
}
