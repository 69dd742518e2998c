package io.sandplane.reaper.service;

import io.sandplane.model.problem.ProblemException;

/** Passes never overlap: an on-demand pass while one runs is refused. */
public class PassInProgressException extends ProblemException {

    public PassInProgressException() {
        super(409, "pass-in-progress", "A pass is running", "a reaper pass is running on this replica; try again when it ends");
    }
}
