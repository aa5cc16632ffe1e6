package dev.drbdmultiaz.rehearsal.lambda.crac;

/** A runtime hook, as org.crac's compatibility layer proxies a registered {@code org.crac.Resource}. */
public interface Resource {

    void beforeCheckpoint(Context<? extends Resource> context) throws Exception;

    void afterRestore(Context<? extends Resource> context) throws Exception;
}
