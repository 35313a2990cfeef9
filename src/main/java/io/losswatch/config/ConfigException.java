package io.losswatch.config;

/** A setting that is unknown or has a bad value; its message is one line naming the key and what is expected. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
