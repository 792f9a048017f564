/* Swap a live badge that fails to load (authority down, request blocked) for the site's own copy. */
( function () {
	'use strict';

	function useLocalCopy( image ) {
		var local = image.getAttribute( 'data-seal-fallback' );
		image.removeAttribute( 'data-seal-fallback' );
		if ( local && image.getAttribute( 'src' ) !== local ) {
			image.setAttribute( 'src', local );
		}
	}

	document.addEventListener( 'error', function ( event ) {
		var target = event.target;
		if ( target && target.tagName === 'IMG' && target.hasAttribute( 'data-seal-fallback' ) ) {
			useLocalCopy( target );
		}
	}, true );

	// Images that failed before this script ran.
	var images = document.querySelectorAll( 'img[data-seal-fallback]' );
	for ( var i = 0; i < images.length; i++ ) {
		if ( images[ i ].complete && images[ i ].naturalWidth === 0 ) {
			useLocalCopy( images[ i ] );
		}
	}
}() );
