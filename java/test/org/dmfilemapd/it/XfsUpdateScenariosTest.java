package org.dmfilemapd.it;

/** The update scenarios on XFS. */
class XfsUpdateScenariosTest extends UpdateScenarios {
    @Override
    Fs fs() {
        return Fs.XFS;
    }
}
