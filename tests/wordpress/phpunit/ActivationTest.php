<?php
/**
 * Activation, deactivation and the cron schedule.
 *
 * @package Seal_Badge
 */

/**
 * Plugin lifecycle in the real WordPress.
 */
class ActivationTest extends Seal_Badge_TestCase {

	const PLUGIN = 'seal-badge/seal-badge.php';

	public function test_plugin_is_active_in_the_installed_site() {
		$this->assertTrue( is_plugin_active( self::PLUGIN ) );
		$data = get_plugin_data( WP_PLUGIN_DIR . '/' . self::PLUGIN, false, false );
		$this->assertSame( 'seal-badge', $data['TextDomain'] );
		$this->assertSame( '7.4', $data['RequiresPHP'] );
		$this->assertSame( '6.1', $data['RequiresWP'] );
	}

	public function test_deactivation_clears_the_cron_event_and_activation_schedules_it_twice_daily() {
		$this->assertNotFalse( wp_next_scheduled( Seal_Badge_Sync::CRON_ACTION ) );
		deactivate_plugins( self::PLUGIN );
		$this->assertFalse( is_plugin_active( self::PLUGIN ) );
		$this->assertFalse( wp_next_scheduled( Seal_Badge_Sync::CRON_ACTION ) );

		delete_option( Seal_Badge_Options::SETTINGS );
		$this->assertNull( activate_plugin( self::PLUGIN ) );
		$this->assertTrue( is_plugin_active( self::PLUGIN ) );
		$this->assertNotFalse( wp_next_scheduled( Seal_Badge_Sync::CRON_ACTION ) );
		$this->assertSame( 'twicedaily', wp_get_schedule( Seal_Badge_Sync::CRON_ACTION ) );
		$this->assertSame( Seal_Badge_Options::defaults(), get_option( Seal_Badge_Options::SETTINGS ) );
	}

	public function test_schedule_never_adds_a_second_event() {
		Seal_Badge_Sync::schedule();
		Seal_Badge_Sync::schedule();
		$events = 0;
		foreach ( _get_cron_array() as $hooks ) {
			$events += isset( $hooks[ Seal_Badge_Sync::CRON_ACTION ] ) ? count( $hooks[ Seal_Badge_Sync::CRON_ACTION ] ) : 0;
		}
		$this->assertSame( 1, $events );
	}

	public function test_cron_action_runs_the_sync() {
		$this->configure( 'active' );
		do_action( Seal_Badge_Sync::CRON_ACTION );
		$status = get_option( Seal_Badge_Options::STATUS );
		$this->assertSame( 'active', $status['status'] );
	}

	public function test_plugins_screen_links_to_the_settings_page() {
		$links = apply_filters( 'plugin_action_links_' . self::PLUGIN, array( 'deactivate' => '<a href="#">Deactivate</a>' ) );
		$this->assertStringContainsString( 'options-general.php?page=seal-badge', $links[0] );
		$this->assertCount( 2, $links );
	}
}
