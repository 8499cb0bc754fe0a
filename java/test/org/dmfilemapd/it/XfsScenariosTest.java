package org.dmfilemapd.it;

/** The scenarios on XFS. */
class XfsScenariosTest extends MonitorScenarios {
    @Override
    Fs fs() {
        return Fs.XFS;
    }
}
