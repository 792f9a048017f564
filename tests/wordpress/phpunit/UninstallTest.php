<?php
/**
 * uninstall.php removes everything the plugin created.
 *
 * @package Seal_Badge
 */

/**
 * Uninstall cleanup.
 */
class UninstallTest extends Seal_Badge_TestCase {

	public function test_uninstall_removes_every_option_transient_and_event() {
		$admin = $this->login_as( 'administrator' );
		$this->configure( 'active' );
		$this->assertNotInstanceOf( WP_Error::class, Seal_Badge_Sync::run() );
		update_option( Seal_Badge_Options::REMINDERS, array( 'x' => array( 30 ) ) );
		update_option( 'widget_seal_badge', array( 2 => array( 'title' => 'Seal' ) ) );
		update_option( Seal_Badge_Options::ROUTE, 'plain' );
		update_option( Seal_Badge_Options::EVENTS, array( 'evt_1' => time() ) );
		$sidebars                   = get_option( 'sidebars_widgets', array() );
		$sidebars['sidebar-seal']   = array( 'seal_badge-2', 'search-3', 'seal_badge-14' );
		$sidebars['wp_inactive_widgets'] = array( 'seal_badge-5' );
		update_option( 'sidebars_widgets', $sidebars );
		wp_schedule_single_event( time() + 300, Seal_Badge_Sync::RETRY_ACTION );
		set_transient( Seal_Badge_Sync::POKE_LOCK, 1, 60 );
		set_transient( 'seal_badge_form_' . $admin, array( 'errors' => array() ), 60 );
		set_transient( 'seal_badge_test_' . $admin, array( 'error' => 'x' ), 60 );
		update_option( 'unrelated_option', 'stays' );
		foreach ( Seal_Badge_Options::ALL as $option ) {
			$this->assertNotFalse( get_option( $option ), $option );
		}
		$this->assertNotFalse( get_transient( Seal_Badge_Sync::LIVE_TRANSIENT ) );
		$this->assertNotFalse( wp_next_scheduled( Seal_Badge_Sync::CRON_ACTION ) );

		$this->assertTrue( uninstall_plugin( 'seal-badge/seal-badge.php' ) );

		wp_cache_flush();
		foreach ( Seal_Badge_Options::ALL as $option ) {
			$this->assertFalse( get_option( $option ), $option );
		}
		global $wpdb;
		$left = $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE '%seal\\_badge%'" );
		$this->assertSame( array(), $left );
		$this->assertFalse( wp_next_scheduled( Seal_Badge_Sync::CRON_ACTION ) );
		$this->assertFalse( wp_next_scheduled( Seal_Badge_Sync::RETRY_ACTION ) );
		$this->assertSame( 'stays', get_option( 'unrelated_option' ) );
		$sidebars = get_option( 'sidebars_widgets' );
		$this->assertSame( array( 'search-3' ), $sidebars['sidebar-seal'], 'our widget ids leave every sidebar; others stay' );
		$this->assertSame( array(), $sidebars['wp_inactive_widgets'] );
	}
}
