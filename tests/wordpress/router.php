<?php
/**
 * Router for `php -S`: what a production nginx or Apache in front of WordPress does.
 *
 * Existing files and directories are served as they are; paths that look like static files
 * (.svg, .css, .js, images, fonts) but do not exist answer 404 from the web server, as the
 * usual `location ~* \.(svg|css|js...)$ { try_files $uri =404; }` does; anything else goes to
 * index.php, so pretty permalinks and /wp-json/ work.
 *
 * @package Seal_Badge
 */

$seal_router_path = rawurldecode( (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) ); // phpcs:ignore WordPress.WP.AlternativeFunctions.parse_url_parse_url, WordPress.Security.ValidatedSanitizedInput -- runs before WordPress, read only.
$seal_router_file = $_SERVER['DOCUMENT_ROOT'] . $seal_router_path;
if ( is_file( $seal_router_file ) || ( is_dir( $seal_router_file ) && is_file( rtrim( $seal_router_file, '/' ) . '/index.php' ) ) ) {
	return false;
}
if ( preg_match( '/\.(svg|css|js|png|jpe?g|gif|ico|woff2?|ttf|map)$/i', $seal_router_path ) ) {
	http_response_code( 404 );
	header( 'Content-Type: text/plain' );
	echo "404 static file not found\n";
	return true;
}
$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
