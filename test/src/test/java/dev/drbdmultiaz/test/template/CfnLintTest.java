package dev.drbdmultiaz.test.template;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.drbdmultiaz.infra.DrbdMultiAzStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.cxapi.CloudAssembly;

@DisplayName("cfn-lint on the synthesized template")
class CfnLintTest {

    static Stream<Arguments> configurations() {
        return Stream.of(
                Arguments.of("default", Map.of()),
                Arguments.of("variant", Map.of("drbd:sshCidr", "203.0.113.0/24", "drbd:natGateways", 1,
                        "drbd:nodeCount", 5, "drbd:ubuntuRelease", "22.04",
                        "drbd:instanceType", "t4g.large", "drbd:architecture", "arm64",
                        "drbd:removalPolicy", "destroy", "drbd:ami", "ami-0123456789abcdef0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    @DisplayName("cfn-lint reports no error (exit 0, or 4 for warnings only)")
    void cfnLintReportsNoError(String name, Map<String, Object> context) throws IOException, InterruptedException {
        Path outdir = Path.of("target", "cfn-lint", name);
        App app = TemplateFixture.app(context, outdir);
        DrbdMultiAzStack stack = TemplateFixture.stack(app);
        CloudAssembly assembly = app.synth();
        String template = assembly.getStackByName(stack.getStackName()).getTemplateFullPath();

        Process process;
        try {
            process = new ProcessBuilder(List.of("cfn-lint", template)).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("cfn-lint is not installed or not on PATH (" + e.getMessage()
                    + "); run the tests with bin/test, which installs the cfn-lint pinned in"
                    + " bin/lib/python-tools.txt into .tools/bin (or says how to get it)");
            return;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        assertTrue(exit == 0 || exit == 4, () -> "cfn-lint exited " + exit + " for " + template + ":\n" + output);
    }
}
