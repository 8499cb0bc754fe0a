package org.dmfilemapd.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.spi.FilterReply;

/**
 * The original's output, set up in code (found through ServiceLoader; no XML to parse at
 * start-up): bare messages, warnings and errors on stderr, everything else on stdout, at the
 * level in {@value Logging#LEVEL_PROPERTY} (default warn). Under jsvc, stdout and stderr are
 * its {@code -outfile} and {@code -errfile}; under systemd, the journal's stream, and then each
 * line carries its syslog priority ({@link JournalStream}).
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        Level level = Level.toLevel(System.getProperty(Logging.LEVEL_PROPERTY), Level.WARN);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        boolean journal = JournalStream.isStderr();
        root.addAppender(console(context, "System.out", false, journal));
        root.addAppender(console(context, "System.err", true, journal));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String target, boolean severe,
            boolean journal) {
        MessageLayout layout = new MessageLayout(journal);
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(severe ? "stderr" : "stdout");
        appender.setTarget(target);
        appender.setEncoder(encoder);
        appender.setImmediateFlush(true);
        appender.addFilter(new SeverityFilter(severe));
        appender.start();
        return appender;
    }

    /** Lets through warnings and errors ({@code severe}) or everything below them. */
    private static final class SeverityFilter extends Filter<ILoggingEvent> {
        private final boolean severe;

        SeverityFilter(boolean severe) {
            this.severe = severe;
            start();
        }

        @Override
        public FilterReply decide(ILoggingEvent event) {
            return event.getLevel().isGreaterOrEqual(Level.WARN) == severe ? FilterReply.NEUTRAL : FilterReply.DENY;
        }
    }

    /**
     * The message as it is, like the original's logger; a stack trace only if one is attached.
     * To the journal, each line starts with its priority (the trace's lines are one entry each).
     */
    static final class MessageLayout extends LayoutBase<ILoggingEvent> {
        private final boolean journal;

        MessageLayout(boolean journal) {
            this.journal = journal;
        }

        @Override
        public String doLayout(ILoggingEvent event) {
            String text = layout(event);
            if (!journal) {
                return text;
            }
            String p = JournalStream.prefix(event.getLevel());
            String body = text.substring(0, text.length() - CoreConstants.LINE_SEPARATOR.length());
            return p + body.replace("\n", "\n" + p) + CoreConstants.LINE_SEPARATOR;
        }

        private static String layout(ILoggingEvent event) {
            IThrowableProxy t = event.getThrowableProxy();
            String msg = event.getFormattedMessage() + CoreConstants.LINE_SEPARATOR;
            return t == null ? msg : msg + ThrowableProxyUtil.asString(t) + CoreConstants.LINE_SEPARATOR;
        }
    }
}
