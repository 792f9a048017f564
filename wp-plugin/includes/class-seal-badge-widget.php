<?php
/**
 * The classic widget placement.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * A sidebar widget showing the badge.
 */
class Seal_Badge_Widget extends WP_Widget {

	/**
	 * Register the widget type.
	 */
	public static function register() {
		add_action(
			'widgets_init',
			static function () {
				register_widget( __CLASS__ );
			}
		);
	}

	/**
	 * Name and describe the widget.
	 */
	public function __construct() {
		parent::__construct(
			'seal_badge',
			__( 'Trust seal', 'seal-badge' ),
			array( 'description' => __( 'Shows your e-commerce trust seal badge.', 'seal-badge' ) )
		);
	}

	/**
	 * Print the widget.
	 *
	 * @param array $args     Sidebar markup.
	 * @param array $instance Saved widget settings.
	 */
	public function widget( $args, $instance ) {
		$html = Seal_Badge_Render::badge_html();
		if ( '' === $html ) {
			return;
		}
		$title = isset( $instance['title'] ) ? $instance['title'] : '';
		echo $args['before_widget']; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- markup from the theme's sidebar registration.
		if ( '' !== $title ) {
			echo $args['before_title'] . esc_html( $title ) . $args['after_title']; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the wrappers come from the theme; the title is escaped.
		}
		echo $html; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- badge_html() escapes every value it prints.
		echo $args['after_widget']; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- markup from the theme's sidebar registration.
	}

	/**
	 * The widget's settings form.
	 *
	 * @param array $instance Saved widget settings.
	 * @return string
	 */
	public function form( $instance ) {
		$title = isset( $instance['title'] ) ? $instance['title'] : '';
		printf(
			'<p><label for="%1$s">%2$s</label> <input class="widefat" id="%1$s" name="%3$s" type="text" value="%4$s"></p>',
			esc_attr( $this->get_field_id( 'title' ) ),
			esc_html__( 'Title:', 'seal-badge' ),
			esc_attr( $this->get_field_name( 'title' ) ),
			esc_attr( $title )
		);
		return '';
	}

	/**
	 * Clean the widget's settings.
	 *
	 * @param array $new_instance Submitted settings.
	 * @param array $old_instance Previous settings.
	 * @return array
	 */
	public function update( $new_instance, $old_instance ) {
		unset( $old_instance );
		return array( 'title' => isset( $new_instance['title'] ) ? sanitize_text_field( $new_instance['title'] ) : '' );
	}
}
