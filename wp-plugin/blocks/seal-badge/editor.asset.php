<?php
/**
 * Dependencies of the block's editor script (written by hand: there is no build step).
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

return array(
	'dependencies' => array( 'wp-blocks', 'wp-element', 'wp-block-editor', 'wp-components', 'wp-i18n', 'wp-server-side-render' ),
	'version'      => '0.2.0',
);
