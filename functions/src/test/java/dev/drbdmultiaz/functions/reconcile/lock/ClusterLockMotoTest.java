package dev.drbdmultiaz.functions.reconcile.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.reconcile.lifecycle.LifecycleActions;
import dev.drbdmultiaz.functions.reconcile.registry.RegistryTable;
import dev.drbdmultiaz.functions.reconcile.state.LockState;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.testing.MotoServer;
import dev.drbdmultiaz.functions.testing.Tables;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.SfnClient;

@DisplayName("ClusterLock on moto (DynamoDB + Step Functions)")
class ClusterLockMotoTest {

    private static MotoServer moto;
    private static DynamoDbClient dynamoDb;
    private static SfnClient sfn;
    private static String stateMachineArn;

    private ClusterLock lock;
    private String table;

    @BeforeAll
    static void startMoto() {
        moto = MotoServer.start();
        dynamoDb = moto.dynamoDb();
        sfn = moto.sfn();
        stateMachineArn = sfn.createStateMachine(b -> b.name("reconcile-" + UUID.randomUUID())
            .roleArn("arn:aws:iam::123456789012:role/sfn")
            .definition("{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}")).stateMachineArn();
    }

    @AfterAll
    static void stopMoto() {
        moto.close();
    }

    @BeforeEach
    void newTable() {
        table = Tables.createRegistry(dynamoDb);
        lock = new ClusterLock(dynamoDb, sfn, table, Clock.systemUTC());
    }

    private static String running() {
        return sfn.startExecution(b -> b.stateMachineArn(stateMachineArn).name("run-" + UUID.randomUUID()))
            .executionArn();
    }

    @Test
    @DisplayName("acquires a free lock and releases it")
    void acquireAndRelease() {
        String me = running();

        LockState state = lock.acquire(me);
        assertTrue(state.acquired());
        assertEquals(1, state.generation());
        assertEquals(me, state.holderExecutionArn());

        assertEquals(new ClusterLock.ReleaseResult(true, false, false), lock.release(me, false));
        assertFalse(item().containsKey("holder"), "the holder attribute is gone");
        assertTrue(lock.acquire(running()).acquired(), "a released lock can be taken again");
    }

    @Test
    @DisplayName("acquires again for the same execution (a retried task) without losing the lock")
    void reentrant() {
        String me = running();
        lock.acquire(me);

        LockState again = lock.acquire(me);

        assertTrue(again.acquired());
        assertEquals(2, again.generation());
    }

    @Test
    @DisplayName("coalesces a trigger into the running holder, bumps the generation, and makes the holder rerun")
    void coalesce() {
        String holder = running();
        lock.acquire(holder);
        String second = running();
        String third = running();

        LockState coalesced = lock.acquire(second);
        LockState coalescedAgain = lock.acquire(third);

        assertFalse(coalesced.acquired());
        assertEquals(holder, coalesced.holderExecutionArn());
        assertEquals(2, coalesced.generation());
        assertEquals(3, coalescedAgain.generation());
        assertEquals(new ClusterLock.ReleaseResult(false, true, false), lock.release(holder, false),
            "a burst of triggers gives the holder one more round");
        assertEquals(holder, item().get("holder").s());
        assertEquals(new ClusterLock.ReleaseResult(true, false, false), lock.release(holder, false),
            "the second release frees the lock");
    }

    private static String running(String input) {
        return sfn.startExecution(b -> b.stateMachineArn(stateMachineArn).name("run-" + UUID.randomUUID())
            .input(input)).executionArn();
    }

    @Test
    @DisplayName("a holder that did what every coalesced trigger asks releases instead of rerunning; any other trigger reruns it")
    void coveredTriggersNeedNoRerun() {
        String holder = running();
        lock.acquire(holder);
        String launch = running("{\"trigger\":{\"source\":\"launch\",\"instanceId\":\"i-2\"}}");
        assertEquals("launch i-2", lock.triggerOf(launch));
        lock.acquire(launch, () -> lock.triggerOf(launch));

        assertEquals(new ClusterLock.ReleaseResult(true, false, false),
            lock.release(holder, false, "launch i-2"::equals), "the launch of i-2 was CONTINUEd by this run");
        assertFalse(item().containsKey("coalesced"), "the coalesced triggers go with the holder");

        String next = running();
        lock.acquire(next);
        String readjust = running("{\"trigger\":{\"source\":\"readjust\"}}");
        lock.acquire(readjust, () -> lock.triggerOf(readjust));
        lock.acquire(running(), () -> "launch i-3");
        assertEquals(new ClusterLock.ReleaseResult(false, true, false),
            lock.release(next, false, "launch i-3"::equals), "a re-adjust asks for a round of its own");
        assertFalse(item().containsKey("coalesced"), "read by the rerun: it starts with none");
        assertEquals(new ClusterLock.ReleaseResult(true, false, false), lock.release(next, false, t -> true));
    }

    @Test
    @DisplayName("a coalesced launch is covered only by a run that CONTINUEd that instance's launch")
    void launchCoveredByItsContinue() {
        ReconcileState done = new ReconcileState(null, null, null, null, null, null, null, null, null, null, null,
            null, new LifecycleActions.ActionsResult(List.of("i-2"), List.of(), List.of(), List.of()));

        assertTrue(ReleaseClusterLockHandler.covered("launch i-2", done));
        assertFalse(ReleaseClusterLockHandler.covered("launch i-3", done));
        assertFalse(ReleaseClusterLockHandler.covered("terminate i-2", done));
        assertFalse(ReleaseClusterLockHandler.covered("readjust", done));
        assertFalse(ReleaseClusterLockHandler.covered(ClusterLock.UNKNOWN_TRIGGER, done));
        assertFalse(ReleaseClusterLockHandler.covered("launch i-2",
            new ReconcileState(null, null, null, null, null, null, null, null, null)), "no CompleteLifecycleActions yet");
    }

    @Test
    @DisplayName("takes over a lock whose holder execution is no longer running")
    void takeOverStaleHolder() {
        String stale = running();
        lock.acquire(stale);
        sfn.stopExecution(b -> b.executionArn(stale));
        String me = running();

        LockState state = lock.acquire(me);

        assertTrue(state.acquired());
        assertEquals(me, item().get("holder").s());
        assertEquals(stale, item().get("previousHolder").s());
    }

    private static String notStartedYet() {
        return stateMachineArn.replace(":stateMachine:", ":execution:") + ":not-started-" + UUID.randomUUID();
    }

    @Test
    @DisplayName("counts a holder taken for an execution not started yet as live within the start grace")
    void missingHolderWithinGrace() {
        String starting = notStartedYet();
        assertTrue(lock.acquireForStart(starting, "launch i-1").acquired());

        LockState second = lock.acquireForStart(notStartedYet(), "launch i-2");

        assertFalse(second.acquired(), "the second trigger starts no execution");
        assertEquals(starting, second.holderExecutionArn());
        assertEquals(List.of("launch i-2"), item().get("coalesced").ss());
    }

    @Test
    @DisplayName("takes over a lock whose holder execution still does not exist after the start grace")
    void takeOverMissingHolder() {
        String vanished = notStartedYet();
        lock.acquireForStart(vanished, "launch i-1");
        ClusterLock later = new ClusterLock(dynamoDb, sfn, table,
            Clock.offset(Clock.systemUTC(), ClusterLock.START_GRACE.plusSeconds(1)));

        assertTrue(later.acquire(running()).acquired());
        assertEquals(vanished, item().get("previousHolder").s());
        assertFalse(item().containsKey("coalesced"), "what was coalesced into the vanished holder goes with it");
    }

    @Test
    @DisplayName("the execution a trigger took the lock for keeps what was coalesced before its first state")
    void reentrantKeepsCoalesced() {
        String started = notStartedYet();
        lock.acquireForStart(started, "launch i-1");
        lock.acquireForStart(notStartedYet(), "readjust");

        LockState own = lock.acquire(started);

        assertTrue(own.acquired());
        assertEquals(Boolean.TRUE, item().get("dirty").bool(), "the re-adjust is still pending");
        assertEquals(new ClusterLock.ReleaseResult(true, false, true), lock.release(started, true),
            "a failed run asks for a follow-up for it");
    }

    @Test
    @DisplayName("frees the lock of an execution that did not start, unless a trigger was coalesced into it")
    void releaseUnstarted() {
        String failedStart = notStartedYet();
        lock.acquireForStart(failedStart, "launch i-1");
        assertTrue(lock.releaseUnstarted(failedStart));
        assertFalse(item().containsKey("holder"));

        String retried = notStartedYet();
        lock.acquireForStart(retried, "launch i-1");
        lock.acquireForStart(notStartedYet(), "launch i-2");
        assertFalse(lock.releaseUnstarted(retried), "launch i-2 waits for the retried start");
        assertEquals(retried, item().get("holder").s());
    }

    @Test
    @DisplayName("releases after a failure even with coalesced triggers pending, and asks for a follow-up for them")
    void releaseAfterFailure() {
        String holder = running();
        lock.acquire(holder);
        lock.acquire(running());

        assertEquals(new ClusterLock.ReleaseResult(true, false, true), lock.release(holder, true));
        assertFalse(item().containsKey("holder"));
    }

    @Test
    @DisplayName("releases after a failure without a follow-up when nothing was coalesced")
    void releaseAfterFailureAlone() {
        String holder = running();
        lock.acquire(holder);

        assertEquals(new ClusterLock.ReleaseResult(true, false, false), lock.release(holder, true));
    }

    @Test
    @DisplayName("does not release a lock another execution holds")
    void releaseOfForeignLock() {
        String holder = running();
        lock.acquire(holder);

        assertEquals(new ClusterLock.ReleaseResult(false, false, false), lock.release(running(), false));
        assertEquals(holder, item().get("holder").s());
    }

    @Test
    @DisplayName("runs through the handlers: executionArn in, $.lock out, then released")
    void handlers() throws Exception {
        String me = running();
        String lockJson = invoke(new AcquireClusterLockHandler(lock),
            "{\"executionArn\":\"" + me + "\",\"trigger\":{\"source\":\"manual\"}}");
        assertEquals(Json.mapper().readTree("{\"acquired\":true,\"generation\":1,\"holderExecutionArn\":\"" + me + "\"}"),
            Json.mapper().readTree(lockJson));

        String released = invoke(new ReleaseClusterLockHandler(lock), "{\"lock\":" + lockJson + "}");
        assertEquals(Json.mapper().readTree("{\"released\":true,\"rerun\":false,\"followUp\":false}"),
            Json.mapper().readTree(released));
    }

    @Test
    @DisplayName("after a failure, asks for a follow-up when the failed run handed lifecycle actions over")
    void followUpForHandedOverActions() throws Exception {
        String me = running();
        lock.acquire(me);
        String released = invoke(new ReleaseClusterLockHandler(lock), "{\"executionArn\":\"" + me + "\","
            + "\"error\":{\"Error\":\"NodeStepFailed\",\"Cause\":\"x\"},"
            + "\"abandon\":{\"abandoned\":[\"i-a\"],\"handedOver\":[\"i-b\"],\"skipped\":[]}}");
        assertEquals(Json.mapper().readTree("{\"released\":true,\"rerun\":false,\"followUp\":true}"),
            Json.mapper().readTree(released));
    }

    private Map<String, AttributeValue> item() {
        return dynamoDb.getItem(b -> b.tableName(table).key(RegistryTable.key(RegistryTable.LOCK)).consistentRead(true))
            .item();
    }

    static String invoke(com.amazonaws.services.lambda.runtime.RequestStreamHandler handler, String input)
        throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }
}
