package dev.drbdmultiaz.rehearsal.lambda.crac;

/** Where hooks register; the global one is {@link Core#getGlobalContext()}. */
public abstract class Context<R extends Resource> implements Resource {

    public abstract void register(R resource);
}
