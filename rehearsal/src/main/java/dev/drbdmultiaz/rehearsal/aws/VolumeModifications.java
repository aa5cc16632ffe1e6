package dev.drbdmultiaz.rehearsal.aws;

import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import dev.drbdmultiaz.rehearsal.support.FormEncoding;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * EC2's ModifyVolume as AWS runs it, in front of moto, which applies a new size at once and
 * refuses nothing. What the Amazon EBS user guide documents ("Monitor the progress of Amazon EBS
 * volume modifications", "Requirements for Amazon EBS volume modifications"), in its harsher
 * reading where two versions differ:
 *
 * <ul>
 *   <li>A modification goes modifying, optimizing, completed. A size increase takes effect once it
 *       is optimizing ("usually takes a few seconds": {@link #MODIFYING} here, longer): only then does
 *       DescribeVolumes show the new size (moto is modified then) and the instance's disk grow
 *       (the listeners: the simulated node's NVMe disk).
 *   <li>A volume being modified (modifying or optimizing) cannot be modified again:
 *       IncorrectModificationState. After a modification, another one must wait six hours (the
 *       older guide; the newer allows four per rolling 24 hours once completed): within six hours
 *       of the last start, VolumeModificationRateExceeded.
 *   <li>A volume cannot shrink, nor is a request that changes nothing a modification:
 *       InvalidParameterValue; gp3 volumes hold at most 16 TiB.
 * </ul>
 *
 * Every other EC2 request goes to moto unchanged.
 */
public final class VolumeModifications implements AutoCloseable {

    /**
     * From the request to optimizing: "usually takes a few seconds"; longer here (the harsher
     * reading), so that the run's first observations still see the old size.
     */
    static final Duration MODIFYING = Duration.ofSeconds(30);
    /** From optimizing to completed; a size change on gp3 keeps its performance, so minutes. */
    static final Duration OPTIMIZING = Duration.ofMinutes(30);
    /** The wait between two modifications of one volume. */
    static final Duration COOLDOWN = Duration.ofHours(6);
    /** gp3's largest size in GiB (EBS volume types). */
    static final int MAX_GP3_GIB = 16_384;

    /** One modification, as DescribeVolumesModifications would describe it. */
    public record Modification(String volumeId, int originalSize, int targetSize, String volumeType, Instant startTime,
        String state) {
    }

    /** An answer in EC2's XML: the HTTP status and the document. */
    public record Answer(int status, String body) {
    }

    private final Ec2Client ec2;
    private final CompressedTime time;
    private final Map<String, Modification> modifications = new HashMap<>();
    private final List<Modification> accepted = new java.util.ArrayList<>();
    private final List<BiConsumer<String, Integer>> sizeListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "ebs-volume-modifications");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param ec2 moto's EC2, with the operator's credentials (what this model applies there)
     * @param time the rehearsal's time
     */
    public VolumeModifications(Ec2Client ec2, CompressedTime time) {
        this.ec2 = ec2;
        this.time = time;
    }

    /** Called with the volume id and its new size in GiB when a size increase takes effect. */
    public void onSizeChanged(BiConsumer<String, Integer> listener) {
        sizeListeners.add(listener);
    }

    /** The modification of {@code volumeId} last requested, if any. */
    public synchronized Optional<Modification> modification(String volumeId) {
        return Optional.ofNullable(modifications.get(volumeId));
    }

    /** Every modification EC2 accepted, in order, as requested (state modifying). */
    public synchronized List<Modification> accepted() {
        return List.copyOf(accepted);
    }

    /** This model's answer to an EC2 query request, or empty when moto answers it. */
    public Optional<Answer> answer(byte[] body) {
        Map<String, String> form = FormEncoding.decode(new String(body, StandardCharsets.UTF_8));
        if (!"ModifyVolume".equals(form.get("Action"))) {
            return Optional.empty();
        }
        return Optional.of(modify(form.get("VolumeId"), form.get("Size")));
    }

    private synchronized Answer modify(String volumeId, String size) {
        if (volumeId == null) {
            return error("MissingParameter", "The request must contain the parameter VolumeId");
        }
        List<Volume> found = ec2.describeVolumes(b -> b.filters(f -> f.name("volume-id").values(volumeId))).volumes();
        if (found.isEmpty()) {
            return error("InvalidVolume.NotFound", "The volume '" + volumeId + "' does not exist.");
        }
        Volume volume = found.get(0);
        Instant now = Instant.now();
        Modification last = modifications.get(volumeId);
        if (last != null && !"completed".equals(last.state())) {
            return error("IncorrectModificationState", "Volume " + volumeId + " cannot be modified in modification"
                + " state " + last.state().toUpperCase(java.util.Locale.ROOT));
        }
        if (last != null && Duration.between(last.startTime(), now).compareTo(time.scaled(COOLDOWN)) < 0) {
            return error("VolumeModificationRateExceeded", "You've reached the maximum modification rate per volume"
                + " limit. Wait at least 6 hours between modifications per EBS volume.");
        }
        if (size == null) {
            return error("InvalidParameterCombination", "No modification requested for volume " + volumeId);
        }
        int target;
        try {
            target = Integer.parseInt(size);
        } catch (NumberFormatException e) {
            return error("InvalidParameterValue", "Invalid value '" + size + "' for Size");
        }
        if (target < volume.size()) {
            return error("InvalidParameterValue", "New size cannot be smaller than existing size: requested " + target
                + " GiB, volume " + volumeId + " has " + volume.size() + " GiB");
        }
        if (target == volume.size()) {
            return error("InvalidParameterValue", "New size must be larger than the existing size of "
                + volume.size() + " GiB for volume " + volumeId);
        }
        if ("gp3".equals(volume.volumeTypeAsString()) && target > MAX_GP3_GIB) {
            return error("InvalidParameterValue", "Volume of " + target + " GiB is too large for gp3; maximum is "
                + MAX_GP3_GIB + " GiB");
        }
        Modification started = new Modification(volumeId, volume.size(), target, volume.volumeTypeAsString(), now,
            "modifying");
        modifications.put(volumeId, started);
        accepted.add(started);
        timers.schedule(() -> optimizing(started), time.scaled(MODIFYING).toMillis(), TimeUnit.MILLISECONDS);
        return new Answer(200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<ModifyVolumeResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>" + UUID.randomUUID()
            + "</requestId>" + xml(started) + "</ModifyVolumeResponse>");
    }

    private void optimizing(Modification started) {
        synchronized (this) {
            if (modifications.get(started.volumeId()) != started) {
                return;
            }
            ec2.modifyVolume(b -> b.volumeId(started.volumeId()).size(started.targetSize()));
            modifications.put(started.volumeId(), with(started, "optimizing"));
        }
        sizeListeners.forEach(l -> l.accept(started.volumeId(), started.targetSize()));
        timers.schedule(() -> completed(started), time.scaled(OPTIMIZING).toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void completed(Modification started) {
        Modification current = modifications.get(started.volumeId());
        if (current != null && current.startTime().equals(started.startTime())) {
            modifications.put(started.volumeId(), with(started, "completed"));
        }
    }

    private static Modification with(Modification m, String state) {
        return new Modification(m.volumeId(), m.originalSize(), m.targetSize(), m.volumeType(), m.startTime(), state);
    }

    private static String xml(Modification m) {
        return "<volumeModification><volumeId>" + m.volumeId() + "</volumeId><modificationState>" + m.state()
            + "</modificationState><targetSize>" + m.targetSize() + "</targetSize><targetVolumeType>" + m.volumeType()
            + "</targetVolumeType><originalSize>" + m.originalSize() + "</originalSize><originalVolumeType>"
            + m.volumeType() + "</originalVolumeType><progress>0</progress><startTime>" + m.startTime()
            + "</startTime></volumeModification>";
    }

    private static Answer error(String code, String message) {
        return new Answer(400, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>" + code
            + "</Code><Message>" + message.replace("&", "&amp;").replace("<", "&lt;") + "</Message></Error></Errors>"
            + "<RequestID>" + UUID.randomUUID() + "</RequestID></Response>");
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
