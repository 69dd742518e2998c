package io.sandplane.model.lifecycle;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Sandbox ids: {@code sbx_} + 20 base32 characters (100 random bits), unguessable and valid as a
 * PVE tag (lower-case, so PVE's tag normalisation leaves it unchanged).
 */
public final class SandboxIds {

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final Pattern FORMAT = Pattern.compile("sbx_[a-z2-7]{20}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private SandboxIds() {
    }

    public static String newId() {
        StringBuilder id = new StringBuilder("sbx_");
        for (int i = 0; i < 20; i++) {
            id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return id.toString();
    }

    public static boolean isValid(String id) {
        return id != null && id.length() == 24 && FORMAT.matcher(id).matches();
    }
}
