<?php
/**
 * The settings page: seal, placement, test connection.
 *
 * @package Seal_Badge
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Settings page under Settings → Trust seal.
 */
class Seal_Badge_Settings {

	const PAGE       = 'seal-badge';
	const CAPABILITY = 'manage_options';

	/**
	 * Add the page and its form handlers.
	 */
	public static function register() {
		add_action( 'admin_menu', array( __CLASS__, 'add_page' ) );
		add_action( 'admin_post_seal_badge_save', array( __CLASS__, 'handle_save' ) );
		add_action( 'admin_post_seal_badge_test', array( __CLASS__, 'handle_test' ) );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( SEAL_BADGE_FILE ), array( __CLASS__, 'action_links' ) );
	}

	/**
	 * A "Settings" link on the Plugins screen.
	 *
	 * @param string[] $links Existing links.
	 * @return string[]
	 */
	public static function action_links( $links ) {
		array_unshift( $links, '<a href="' . esc_url( self::url() ) . '">' . esc_html__( 'Settings', 'seal-badge' ) . '</a>' );
		return $links;
	}

	/**
	 * The page's address.
	 *
	 * @param array $args Extra query arguments.
	 * @return string
	 */
	public static function url( array $args = array() ) {
		return add_query_arg( $args, admin_url( 'options-general.php?page=' . self::PAGE ) );
	}

	/**
	 * Add the page to the Settings menu.
	 */
	public static function add_page() {
		add_options_page( __( 'Trust seal', 'seal-badge' ), __( 'Trust seal', 'seal-badge' ), self::CAPABILITY, self::PAGE, array( __CLASS__, 'render' ) );
	}

	/**
	 * Load the admin stylesheet on our page only.
	 *
	 * @param string $hook Current admin page.
	 */
	public static function enqueue( $hook ) {
		if ( 'settings_page_' . self::PAGE === $hook || 'index.php' === $hook ) {
			wp_enqueue_style( 'seal-badge' );
		}
	}

	/**
	 * Stop anyone who may not manage options, and any request without our nonce.
	 *
	 * @param string $action Nonce action.
	 */
	private static function guard( $action ) {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'You are not allowed to change the trust seal settings.', 'seal-badge' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( $action );
	}

	/**
	 * Validate and save the submitted settings, then sync.
	 *
	 * @return string Where to send the browser next.
	 */
	public static function save_from_request() {
		self::guard( 'seal_badge_save' );
		$user  = get_current_user_id();
		$input = isset( $_POST['seal_badge'] ) && is_array( $_POST['seal_badge'] ) ? wp_unslash( $_POST['seal_badge'] ) : array(); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- every field is sanitised in Seal_Badge_Options::sanitize().
		$clean = Seal_Badge_Options::sanitize( $input );
		if ( $clean['errors'] ) {
			$values            = $clean['settings'];
			// Kept as typed (shown back through esc_textarea) so a wrong paste can be corrected, not retyped.
			$values['snippet'] = isset( $input['snippet'] ) ? wp_check_invalid_utf8( substr( (string) $input['snippet'], 0, 4000 ) ) : '';
			unset( $values['webhook_secret'] ); // Never kept outside the settings, never shown back.
			set_transient(
				'seal_badge_form_' . $user,
				array(
					'errors' => $clean['errors'],
					'values' => $values,
				),
				5 * MINUTE_IN_SECONDS
			);
			return self::url( array( 'seal-badge' => 'error' ) );
		}
		$before = Seal_Badge_Options::settings();
		update_option( Seal_Badge_Options::SETTINGS, $clean['settings'] );
		$after = $clean['settings'];
		foreach ( array( 'server_url', 'seal_id', 'code' ) as $key ) {
			if ( $before[ $key ] !== $after[ $key ] ) {
				// Another seal: what we knew about the old one no longer applies.
				delete_option( Seal_Badge_Options::STATUS );
				delete_option( Seal_Badge_Options::BADGE );
				delete_option( Seal_Badge_Options::SYNC );
				delete_transient( Seal_Badge_Sync::LIVE_TRANSIENT );
				break;
			}
		}
		self::remember_test( Seal_Badge_Sync::run() );
		$route = Seal_Badge_Render::check_route();
		if ( is_wp_error( $route ) ) {
			set_transient( 'seal_badge_route_' . $user, $route->get_error_message(), 5 * MINUTE_IN_SECONDS );
		}
		return self::url( array( 'seal-badge' => 'saved' ) );
	}

	/**
	 * Run a live status check.
	 *
	 * @return string Where to send the browser next.
	 */
	public static function test_from_request() {
		self::guard( 'seal_badge_test' );
		self::remember_test( Seal_Badge_Sync::run() );
		return self::url( array( 'seal-badge' => 'tested' ) );
	}

	/**
	 * Keep a sync result for the next page view of this user.
	 *
	 * @param array|WP_Error $result Sync result.
	 */
	private static function remember_test( $result ) {
		set_transient( 'seal_badge_test_' . get_current_user_id(), is_wp_error( $result ) ? array( 'error' => $result->get_error_message() ) : array( 'status' => $result ), 5 * MINUTE_IN_SECONDS );
	}

	/**
	 * The admin-post handler for saving.
	 */
	public static function handle_save() {
		wp_safe_redirect( self::save_from_request() );
		exit;
	}

	/**
	 * The admin-post handler for "test connection".
	 */
	public static function handle_test() {
		wp_safe_redirect( self::test_from_request() );
		exit;
	}

	/**
	 * A human label for a status.
	 *
	 * @param string $status Effective status.
	 * @return string
	 */
	public static function status_label( $status ) {
		$labels = array(
			'active'    => __( 'Valid', 'seal-badge' ),
			'suspended' => __( 'Suspended', 'seal-badge' ),
			'revoked'   => __( 'Revoked', 'seal-badge' ),
			'expired'   => __( 'Expired', 'seal-badge' ),
			'invalid'   => __( 'Not recognised by the authority', 'seal-badge' ),
		);
		return isset( $labels[ $status ] ) ? $labels[ $status ] : __( 'Not checked yet', 'seal-badge' );
	}

	/**
	 * A status as a definition list: status, stars, expiry and the record.
	 *
	 * @param array $status Stored status.
	 * @return string Escaped HTML.
	 */
	public static function status_details( array $status ) {
		$effective = Seal_Badge_Sync::effective_status( $status );
		$rows      = array( __( 'Status', 'seal-badge' ) => self::status_label( $effective ) );
		if ( 'invalid' !== $effective ) {
			$days   = Seal_Badge_Sync::days_left( $status, time() );
			$record = $status['record'];
			$rows  += array(
				__( 'Business', 'seal-badge' )             => $status['name_fa'],
				__( 'Domain', 'seal-badge' )               => $status['domain'],
				__( 'Stars', 'seal-badge' )                => Seal_Badge_Format::number( $status['stars'] ),
				/* translators: 1: expiry date, 2: number of days. */
				__( 'Expires', 'seal-badge' )              => sprintf( __( '%1$s (%2$s days left)', 'seal-badge' ), Seal_Badge_Format::date( $status['expires_at'] ), Seal_Badge_Format::number( (int) $days ) ),
				__( 'Open complaints', 'seal-badge' )      => Seal_Badge_Format::number( $record['complaints_open'] ),
				__( 'Complaints in total', 'seal-badge' )  => Seal_Badge_Format::number( $record['complaints_total'] ),
				__( 'Unanswered complaints', 'seal-badge' ) => Seal_Badge_Format::number( $record['non_responses'] ),
				__( 'Open non-conformities', 'seal-badge' ) => Seal_Badge_Format::number( $record['nonconformities_open'] ),
			);
		}
		$html = '<dl class="seal-badge-status seal-badge-status--' . esc_attr( $effective ) . '">';
		foreach ( $rows as $label => $value ) {
			$html .= '<dt>' . esc_html( $label ) . '</dt><dd>' . esc_html( $value ) . '</dd>';
		}
		$html .= '</dl>';
		$links = array();
		if ( ! empty( $status['verify_url'] ) ) {
			$links[] = '<a href="' . esc_url( $status['verify_url'] ) . '" target="_blank" rel="noopener">' . esc_html__( 'Open the verification page', 'seal-badge' ) . '</a>';
		}
		if ( 'invalid' !== $effective && Seal_Badge_Options::is_configured() ) {
			$links[] = '<a class="seal-badge-renew" href="' . esc_url( ( new Seal_Badge_Client( Seal_Badge_Options::settings() ) )->renew_url() ) . '" target="_blank" rel="noopener">' . esc_html__( 'Renew the seal', 'seal-badge' ) . '</a>';
		}
		if ( $links ) {
			$html .= '<p>' . implode( ' | ', $links ) . '</p>';
		}
		return $html;
	}

	/**
	 * Print the settings page.
	 */
	public static function render() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			return;
		}
		$user   = get_current_user_id();
		$form   = get_transient( 'seal_badge_form_' . $user );
		$test   = get_transient( 'seal_badge_test_' . $user );
		$route  = get_transient( 'seal_badge_route_' . $user );
		delete_transient( 'seal_badge_route_' . $user );
		$values = Seal_Badge_Options::settings();
		$values['snippet'] = '';
		delete_transient( 'seal_badge_form_' . $user );
		delete_transient( 'seal_badge_test_' . $user );
		if ( is_array( $form ) ) {
			$values = array_merge( $values, $form['values'] );
		}
		echo '<div class="wrap seal-badge-settings"><h1>' . esc_html__( 'Trust seal', 'seal-badge' ) . '</h1>';
		if ( is_array( $form ) ) {
			echo '<div class="notice notice-error"><p>' . esc_html__( 'The settings were not saved:', 'seal-badge' ) . '</p><ul>';
			foreach ( $form['errors'] as $error ) {
				echo '<li>' . esc_html( $error ) . '</li>';
			}
			echo '</ul></div>';
		}
		if ( is_array( $test ) ) {
			if ( isset( $test['error'] ) ) {
				echo '<div class="notice notice-error seal-badge-test"><p>' . esc_html( $test['error'] ) . '</p></div>';
			} else {
				echo '<div class="notice notice-success seal-badge-test"><p>' . esc_html__( 'Connected to the seal server. Live status:', 'seal-badge' ) . '</p>' . self::status_details( $test['status'] ) . '</div>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- status_details() escapes every value.
			}
		}
		if ( is_string( $route ) ) {
			echo '<div class="notice notice-warning seal-badge-route"><p>' . esc_html( $route ) . '</p></div>';
		}
		$field = static function ( $key ) {
			return 'seal_badge[' . $key . ']';
		};
		?>
		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
			<input type="hidden" name="action" value="seal_badge_save">
			<?php wp_nonce_field( 'seal_badge_save' ); ?>
			<table class="form-table" role="presentation">
				<tr>
					<th scope="row"><label for="seal-badge-snippet"><?php esc_html_e( 'Paste the snippet', 'seal-badge' ); ?></label></th>
					<td><textarea id="seal-badge-snippet" name="<?php echo esc_attr( $field( 'snippet' ) ); ?>" rows="4" class="large-text code" dir="ltr"><?php echo esc_textarea( $values['snippet'] ); ?></textarea>
					<p class="description"><?php esc_html_e( 'Paste the code the authority gave you; the server, seal id and code below are filled from it.', 'seal-badge' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><label for="seal-badge-server"><?php esc_html_e( 'Seal server address', 'seal-badge' ); ?></label></th>
					<td><input id="seal-badge-server" name="<?php echo esc_attr( $field( 'server_url' ) ); ?>" type="url" class="regular-text code" dir="ltr" value="<?php echo esc_attr( $values['server_url'] ); ?>"></td>
				</tr>
				<tr>
					<th scope="row"><label for="seal-badge-id"><?php esc_html_e( 'Seal id', 'seal-badge' ); ?></label></th>
					<td><input id="seal-badge-id" name="<?php echo esc_attr( $field( 'seal_id' ) ); ?>" type="text" class="regular-text code" dir="ltr" value="<?php echo esc_attr( $values['seal_id'] ); ?>"></td>
				</tr>
				<tr>
					<th scope="row"><label for="seal-badge-code"><?php esc_html_e( 'Seal code', 'seal-badge' ); ?></label></th>
					<td><input id="seal-badge-code" name="<?php echo esc_attr( $field( 'code' ) ); ?>" type="text" class="regular-text code" dir="ltr" value="<?php echo esc_attr( $values['code'] ); ?>"></td>
				</tr>
				<tr>
					<th scope="row"><?php esc_html_e( 'Placement', 'seal-badge' ); ?></th>
					<td>
						<label><input name="<?php echo esc_attr( $field( 'footer' ) ); ?>" type="checkbox" value="1" <?php checked( $values['footer'] ); ?>> <?php esc_html_e( 'Show the badge in the site footer', 'seal-badge' ); ?></label><br>
						<label><input name="<?php echo esc_attr( $field( 'front_page_only' ) ); ?>" type="checkbox" value="1" <?php checked( $values['front_page_only'] ); ?>> <?php esc_html_e( 'Footer badge on the front page only', 'seal-badge' ); ?></label><br>
						<label><input name="<?php echo esc_attr( $field( 'hide_on_mobile' ) ); ?>" type="checkbox" value="1" <?php checked( $values['hide_on_mobile'] ); ?>> <?php esc_html_e( 'Hide the badge on small screens', 'seal-badge' ); ?></label>
						<p class="description"><?php esc_html_e( 'Also available: the "Trust seal" widget and block, and the [seal_badge] shortcode.', 'seal-badge' ); ?></p>
					</td>
				</tr>
				<tr>
					<th scope="row"><label for="seal-badge-size"><?php esc_html_e( 'Size', 'seal-badge' ); ?></label></th>
					<td><select id="seal-badge-size" name="<?php echo esc_attr( $field( 'size' ) ); ?>">
						<?php
						$sizes = array(
							'small'  => __( 'Small', 'seal-badge' ),
							'medium' => __( 'Medium', 'seal-badge' ),
							'large'  => __( 'Large', 'seal-badge' ),
						);
						foreach ( $sizes as $size => $label ) {
							printf( '<option value="%s" %s>%s</option>', esc_attr( $size ), selected( $values['size'], $size, false ), esc_html( $label ) );
						}
						?>
					</select></td>
				</tr>
				<tr>
					<th scope="row"><label for="seal-badge-lang"><?php esc_html_e( 'Badge language', 'seal-badge' ); ?></label></th>
					<td><select id="seal-badge-lang" name="<?php echo esc_attr( $field( 'lang' ) ); ?>">
						<option value="fa" <?php selected( $values['lang'], 'fa' ); ?>><?php esc_html_e( 'Persian', 'seal-badge' ); ?></option>
						<option value="en" <?php selected( $values['lang'], 'en' ); ?>><?php esc_html_e( 'English', 'seal-badge' ); ?></option>
					</select></td>
				</tr>
				<tr>
					<th scope="row"><label for="seal-badge-webhook-url"><?php esc_html_e( 'Webhook address', 'seal-badge' ); ?></label></th>
					<td><input id="seal-badge-webhook-url" type="text" readonly class="large-text code" dir="ltr" value="<?php echo esc_attr( Seal_Badge_Webhook::url() ); ?>">
					<p class="description"><?php esc_html_e( 'Optional, for instant updates: add this address as a webhook for your seal in your panel at the authority, then paste the secret it shows below. The status is then refreshed as soon as the authority changes it; the twice-daily check stays as a fallback.', 'seal-badge' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><label for="seal-badge-webhook-secret"><?php esc_html_e( 'Webhook secret', 'seal-badge' ); ?></label></th>
					<td><input id="seal-badge-webhook-secret" name="<?php echo esc_attr( $field( 'webhook_secret' ) ); ?>" type="password" autocomplete="off" class="regular-text code" dir="ltr" value="">
					<?php if ( '' !== Seal_Badge_Options::settings()['webhook_secret'] ) : ?>
						<p class="description seal-badge-secret-saved"><?php esc_html_e( 'A secret is saved; leave the field empty to keep it.', 'seal-badge' ); ?>
						<label><input name="<?php echo esc_attr( $field( 'forget_webhook_secret' ) ); ?>" type="checkbox" value="1"> <?php esc_html_e( 'Forget the saved secret', 'seal-badge' ); ?></label></p>
					<?php endif; ?>
					</td>
				</tr>
			</table>
			<?php submit_button( __( 'Save settings', 'seal-badge' ), 'primary', 'seal-badge-save' ); ?>
		</form>
		<?php if ( Seal_Badge_Options::is_configured() ) : ?>
		<h2><?php esc_html_e( 'Connection', 'seal-badge' ); ?></h2>
		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
			<input type="hidden" name="action" value="seal_badge_test">
			<?php wp_nonce_field( 'seal_badge_test' ); ?>
			<?php submit_button( __( 'Test connection', 'seal-badge' ), 'secondary', 'seal-badge-test' ); ?>
		</form>
		<?php endif; ?>
		<?php
		Seal_Badge_WooCommerce::render_checklist();
		echo '</div>';
	}
}
