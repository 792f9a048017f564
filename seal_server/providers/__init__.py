"""Payment providers: registered by staff, bind the merchants they serve, report gray volumes, read status."""
