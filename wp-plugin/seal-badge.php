<?php
/**
 * Plugin Name:       Seal Badge
 * Description:       Shows your e-commerce trust seal (footer, widget, shortcode, block), keeps a first-party copy for when the authority is unreachable, syncs its status and reminds you before it expires.
 * Version:           0.2.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            Seal Authority contributors
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       seal-badge
 * Domain Path:       /languages
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'SEAL_BADGE_VERSION', '0.2.0' );
define( 'SEAL_BADGE_FILE', __FILE__ );
define( 'SEAL_BADGE_DIR', plugin_dir_path( __FILE__ ) );

require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-format.php';
require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-options.php';
require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-client.php';
require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-signature.php';
require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-sync.php';
require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-render.php';
require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-webhook.php';
require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-widget.php';
require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-settings.php';
require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-notices.php';
require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-reminders.php';
require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-woocommerce.php';
require_once SEAL_BADGE_DIR . 'includes/class-seal-badge-plugin.php';

register_activation_hook( __FILE__, array( 'Seal_Badge_Plugin', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'Seal_Badge_Plugin', 'deactivate' ) );

Seal_Badge_Plugin::register();
