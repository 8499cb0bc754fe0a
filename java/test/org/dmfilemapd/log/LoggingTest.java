package org.dmfilemapd.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoggingTest {
    @ParameterizedTest
    @CsvSource({"0,warn", "1,info", "2,debug", "3,trace"})
    void verbosityMapsToALevel(int verbose, String level) {
        assertEquals(level, Logging.levelFor(verbose));
    }
}
