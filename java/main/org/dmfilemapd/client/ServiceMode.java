package org.dmfilemapd.client;

/**
 * Whether files go to the service (the default) or each gets a process of its own, as
 * before the service existed: environment {@code DMFILEMAPD_SERVICE=0} (or the property
 * {@value #PROPERTY}, which wins) selects the latter.
 */
public final class ServiceMode {
    public static final String PROPERTY = "dmfilemapd.service";
    public static final String ENV = "DMFILEMAPD_SERVICE";

    private ServiceMode() {
    }

    public static boolean enabled() {
        String v = System.getProperty(PROPERTY);
        if (v == null) {
            v = System.getenv(ENV);
        }
        if (v == null) {
            return true;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "0", "no", "false", "off" -> false;
            default -> true;
        };
    }
}
