package org.spinnaker4j.mapper;

/** A network cannot be mapped onto a machine; the message gives the numbers and what would help. */
public class MappingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MappingException(String message) {
        super(message);
    }

    public MappingException(String message, Throwable cause) {
        super(message, cause);
    }
}
