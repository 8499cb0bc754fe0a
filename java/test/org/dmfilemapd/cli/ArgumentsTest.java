package org.dmfilemapd.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.dmfilemapd.domain.Mode;
import org.dmfilemapd.domain.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments.ArgumentSet;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArgumentsTest {
    private static final String FD = "3";
    private static final String GROUP = "0";
    private static final String PATH = "/var/lib/file";
    private static final String MODE = "inode";
    private static final String FG = "1";

    private static UsageException failure(String... argv) {
        return assertThrows(UsageException.class, () -> Arguments.parse(argv));
    }

    private static void rejects(String message, String... argv) {
        UsageException e = failure(argv);
        assertEquals(message, e.getMessage());
        assertFalse(e.showUsage(), "usage line only follows a wrong argument count");
    }

    private static Arguments accepts(String... argv) {
        try {
            return Arguments.parse(argv);
        } catch (UsageException e) {
            throw new AssertionError("rejected " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
    }

    static Stream<ArgumentSet> tooFewArguments() {
        String[] full = {FD, GROUP, PATH, MODE};
        Stream<ArgumentSet> prefixes = IntStream.rangeClosed(0, 4)
                .mapToObj(n -> argumentSet(n + " args", (Object) Arrays.copyOf(full, n)));
        Stream<ArgumentSet> flags = Stream.of("--help", "-h", "--version")
                .map(f -> argumentSet(f, (Object) new String[] {f}));
        return Stream.concat(prefixes, flags);
    }

    @ParameterizedTest
    @MethodSource("tooFewArguments")
    void fewerThanFiveArgumentsIsAUsageError(String[] argv) {
        UsageException e = failure(argv);
        assertEquals("Wrong number of arguments.", e.getMessage());
        assertTrue(e.showUsage());
    }

    @Test
    void usageLineNamesTheArguments() {
        assertTrue(Arguments.USAGE.startsWith("usage: dmfilemapd "), Arguments.USAGE);
        assertTrue(Arguments.USAGE.contains("<fd> <group_id> <abs_path> <mode>"), Arguments.USAGE);
    }

    @Test
    void helpIsNotAnOptionWhenFiveArgumentsAreGiven() {
        rejects("Could not parse file descriptor: --help", "--help", GROUP, PATH, MODE, FG);
    }

    @Test
    void parsesAllFields() {
        Arguments a = accepts("7", "42", "/mnt/x/file.img", "path", "0", "2");
        assertEquals(7, a.fd());
        assertEquals(42L, a.groupId());
        assertEquals("/mnt/x/file.img", a.path());
        assertEquals(Mode.PATH, a.mode());
        assertFalse(a.foreground());
        assertEquals(2, a.verbose());
    }

    @ParameterizedTest
    @ValueSource(strings = {"3x", "abc", "3 ", "0x3"})
    void fdMustBeANumber(String fd) {
        rejects("Could not parse file descriptor: " + fd, fd, GROUP, PATH, MODE, FG);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "2147483648", "99999999999999999999"})
    void fdMustBeANonNegativeInt(String fd) {
        UsageException e = failure(fd, GROUP, PATH, MODE, FG);
        assertTrue(e.getMessage().startsWith("Could not parse file descriptor: "), e.getMessage());
        assertFalse(e.showUsage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"' 3'|3", "+3|3", "0|0", "2147483647|2147483647", "'\t5'|5"})
    void fdIsReadLikeStrtol(String fd, int expected) {
        assertEquals(expected, accepts(fd, GROUP, PATH, MODE, FG).fd());
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "1x", "-1", "", "9223372036854775808"})
    void groupIdMustBeANonNegativeLong(String group) {
        UsageException e = failure(FD, group, PATH, MODE, FG);
        assertTrue(e.getMessage().startsWith("Could not parse group identifier: " + group), e.getMessage());
        assertFalse(e.showUsage());
    }

    @Test
    void groupIdMessageForGarbage() {
        rejects("Could not parse group identifier: g7", FD, "g7", PATH, MODE, FG);
    }

    @ParameterizedTest
    @CsvSource({"0,0", "+12,12", "9223372036854775807,9223372036854775807"})
    void groupIdAcceptsTheLongRange(String group, long expected) {
        assertEquals(expected, accepts(FD, group, PATH, MODE, FG).groupId());
    }

    @Test
    void pathIsRequired() {
        rejects("Path argument is required.", FD, GROUP, "", MODE, FG);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rel/x", "x", "./x", " /x"})
    void pathMustBeAbsolute(String path) {
        rejects("Path argument must specify an absolute path.", FD, GROUP, path, MODE, FG);
    }

    @Test
    void modeIsRequired() {
        rejects("Mode argument is required.", FD, GROUP, PATH, "", FG);
    }

    @ParameterizedTest
    @ValueSource(strings = {"INODE", "Path", "foo", " inode", "inode "})
    void modeIsExactAndCaseSensitive(String mode) {
        rejects("Could not parse dmfilemapd mode: " + mode, FD, GROUP, PATH, mode, FG);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void modeWordsParse(Mode mode) throws UsageException {
        assertEquals(mode, accepts(FD, GROUP, PATH, mode.word(), FG).mode());
        assertEquals(mode, Mode.parse(mode.word()));
        assertEquals(mode.word(), mode.toString());
    }

    @Test
    void modeWords() {
        assertEquals("inode", Mode.INODE.word());
        assertEquals("path", Mode.PATH.word());
    }

    @Test
    void modeParseRejectsDirectly() {
        UsageException e = assertThrows(UsageException.class, () -> Mode.parse("foo"));
        assertEquals("Could not parse dmfilemapd mode: foo", e.getMessage());
        assertFalse(e.showUsage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "1x", "", "true"})
    void foregroundMustBeANumber(String fg) {
        rejects("Could not parse debug argument: " + fg + ".", FD, GROUP, PATH, MODE, fg);
    }

    @ParameterizedTest
    @CsvSource({"0,false", "+0,false", "1,true", "2,true", "-1,true", "' 1',true"})
    void foregroundIsAnyNonZeroNumber(String fg, boolean expected) {
        assertEquals(expected, accepts(FD, GROUP, PATH, MODE, fg).foreground());
    }

    @Test
    void verboseDefaultsToZero() {
        assertEquals(0, accepts(FD, GROUP, PATH, MODE, FG).verbose());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void verboseAcceptsZeroToThree(int verbose) {
        assertEquals(verbose, accepts(FD, GROUP, PATH, MODE, FG, Integer.toString(verbose)).verbose());
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "2x", ""})
    void verboseMustBeANumber(String verbose) {
        rejects("Could not parse verbose argument: " + verbose, FD, GROUP, PATH, MODE, FG, verbose);
    }

    @ParameterizedTest
    @ValueSource(strings = {"4", "-1", "100"})
    void verboseMustBeInRange(String verbose) {
        rejects("Verbose argument out of range: " + verbose + ".", FD, GROUP, PATH, MODE, FG, verbose);
    }

    @Test
    void argumentsAfterTheSixthAreIgnored() {
        Arguments a = accepts(FD, GROUP, PATH, MODE, FG, "1", "garbage", "--help");
        assertEquals(new Arguments(3, 0, PATH, Mode.INODE, true, 1), a);
    }

    static Stream<ArgumentSet> twoBadArguments() {
        return Stream.of(
                set("fd before path", "Could not parse file descriptor: x", "x", GROUP, "rel", MODE, FG),
                set("fd before group", "Could not parse file descriptor: x", "x", "y", PATH, MODE, FG),
                set("group before path", "Could not parse group identifier: y", FD, "y", "", MODE, FG),
                set("path before mode", "Path argument must specify an absolute path.", FD, GROUP, "rel", "foo", FG),
                set("mode before foreground", "Could not parse dmfilemapd mode: foo", FD, GROUP, PATH, "foo", "x"),
                set("foreground before verbose", "Could not parse debug argument: x.", FD, GROUP, PATH, MODE, "x", "9"));
    }

    private static ArgumentSet set(String name, String message, String... argv) {
        return argumentSet(name, message, argv);
    }

    @ParameterizedTest
    @MethodSource("twoBadArguments")
    void checksRunInTheOriginalsOrder(String message, String[] argv) {
        rejects(message, argv);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void toArgvRoundTrips(boolean foreground) {
        Arguments a = new Arguments(5, 9223372036854775807L, "/a b/c", Mode.PATH, foreground, 3);
        assertEquals(a, accepts(a.toArgv(false)));
        Arguments relaunched = accepts(a.toArgv(true));
        assertEquals(new Arguments(5, 9223372036854775807L, "/a b/c", Mode.PATH, true, 3), relaunched);
    }

    @Test
    void toArgvIsTheCommandLine() {
        Arguments a = new Arguments(4, 11, "/f", Mode.INODE, false, 2);
        assertArrayEquals(new String[] {"4", "11", "/f", "inode", "0", "2"}, a.toArgv(false));
        assertArrayEquals(new String[] {"4", "11", "/f", "inode", "1", "2"}, a.toArgv(true));
    }

    @Test
    void recordRejectsImpossibleValues() {
        assertThrows(IllegalArgumentException.class, () -> new Arguments(-1, 0, "/f", Mode.INODE, true, 0));
        assertThrows(IllegalArgumentException.class, () -> new Arguments(3, -1, "/f", Mode.INODE, true, 0));
        assertThrows(IllegalArgumentException.class, () -> new Arguments(3, 0, "/f", Mode.INODE, true, 4));
        assertThrows(IllegalArgumentException.class, () -> new Arguments(3, 0, null, Mode.INODE, true, 0));
        assertThrows(IllegalArgumentException.class, () -> new Arguments(3, 0, "/f", null, true, 0));
    }
}
