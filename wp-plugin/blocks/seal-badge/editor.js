( function ( wp ) {
	'use strict';
	var el = wp.element.createElement;
	var __ = wp.i18n.__;
	var InspectorControls = wp.blockEditor.InspectorControls;
	var SelectControl = wp.components.SelectControl;
	var PanelBody = wp.components.PanelBody;

	wp.blocks.registerBlockType( 'seal-badge/badge', {
		edit: function ( props ) {
			var attributes = props.attributes;
			return el(
				'div',
				wp.blockEditor.useBlockProps(),
				el(
					InspectorControls,
					null,
					el(
						PanelBody,
						{ title: __( 'Badge', 'seal-badge' ) },
						el( SelectControl, {
							label: __( 'Size', 'seal-badge' ),
							value: attributes.size,
							options: [
								{ label: __( 'As in the settings', 'seal-badge' ), value: '' },
								{ label: __( 'Small', 'seal-badge' ), value: 'small' },
								{ label: __( 'Medium', 'seal-badge' ), value: 'medium' },
								{ label: __( 'Large', 'seal-badge' ), value: 'large' }
							],
							onChange: function ( size ) { props.setAttributes( { size: size } ); }
						} ),
						el( SelectControl, {
							label: __( 'Badge language', 'seal-badge' ),
							value: attributes.lang,
							options: [
								{ label: __( 'As in the settings', 'seal-badge' ), value: '' },
								{ label: __( 'Persian', 'seal-badge' ), value: 'fa' },
								{ label: __( 'English', 'seal-badge' ), value: 'en' }
							],
							onChange: function ( lang ) { props.setAttributes( { lang: lang } ); }
						} )
					)
				),
				el( wp.serverSideRender, { block: 'seal-badge/badge', attributes: attributes } )
			);
		},
		save: function () {
			return null;
		}
	} );
}( window.wp ) );
